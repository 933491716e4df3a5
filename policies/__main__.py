"""Entry point of the CrossGuard pack: `pulumi preview --policy-pack policies` runs this file."""

import sys
from pathlib import Path

# The rules are imported as `policies.*`: put the folder holding this pack on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policies.pack import PACK_NAME, pack_policies

PolicyPack(name=PACK_NAME, policies=pack_policies())
