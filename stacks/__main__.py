"""Pulumi entry point (`main: stacks/` in Pulumi.yaml): load this stack's environment, build it.

Run through the engine only (`pulumi up`, `kfstack preview|up ENV`; offline: `kfstack plan ENV`):
started directly (`python -m stacks`) there is no engine to talk to, so it says so and exits 2.
"""

import sys

import pulumi
from pulumi.runtime.settings import SETTINGS

OUTSIDE_ENGINE = (
    "stacks/ is the Pulumi program and runs under the Pulumi engine: use `kfstack preview|up ENV` "
    "or `pulumi up --stack ENV`, or `kfstack plan ENV` to see what it would create offline"
)


def main() -> None:
    """Build the platform of the stack the engine runs; config problems are listed, not a traceback."""
    if SETTINGS.monitor is None:
        print(f"error: {OUTSIDE_ENGINE}", file=sys.stderr)
        sys.exit(2)
    # Imported after the check: `python stacks/__main__.py` has no `stacks` package on sys.path.
    from stacks.config.errors import ConfigError
    from stacks.engine_config import load_engine_environment
    from stacks.program import build_platform

    try:
        environment, config = load_engine_environment()
    except ConfigError as error:
        pulumi.log.error(str(error))
        raise pulumi.RunError(f"{len(error.problems)} config problem(s); run `kfstack validate`") from None
    build_platform(environment, config)


main()
