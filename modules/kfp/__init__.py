"""Kubeflow Pipelines objects as Pulumi resources (dynamic providers over KFP's v2beta1 REST API).

`Pipeline` → `PipelineVersion` → `RecurringRun`, and `Experiment`, each taking a `KfpConnection`.
Provider classes are serialised by reference: keep their module paths and names stable.
See modules/kfp/README.md for the lifecycle rules (versions, retention, replacement order).
"""

# No re-exports: importing `modules.kfp.cron` (the config schema does) must stay free of the
# Pulumi and kfp-server-api imports the providers need.
