"""Pulumi entry point (`main: stacks/` in Pulumi.yaml): load this stack's environment, build it."""

from stacks.engine_config import load_engine_environment
from stacks.program import build_platform

environment, config = load_engine_environment()
build_platform(environment, config)
