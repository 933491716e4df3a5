"""The Pulumi engine behind the `kfstack up|preview|destroy|refresh|drift|doctor` commands."""
