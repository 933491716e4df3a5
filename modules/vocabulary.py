"""Names and value sets shared by the config schema, the modules and the pipelines.

Dependency-free on purpose: the config schema (`kfstack validate`) and the pipeline compiler
import these without paying for the Pulumi SDKs. Each fact is stated here once; a typo in a
second copy would be a scheduling bug that no test sees.
"""

from __future__ import annotations

from typing import Literal

GPU_RESOURCE = "nvidia.com/gpu"
"""The extended resource the NVIDIA device plugin advertises."""

GPU_TAINT_KEY = "nvidia.com/gpu"
"""The taint every GPU pool carries (effect NoSchedule), so only GPU work lands there."""

GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
"""Label set to "true" on GPU nodes; the device plugin chart selects nodes by it."""

POOL_LABEL = "kfstack.io/pool"
"""Label naming the kfstack node pool a node belongs to."""

NatPolicy = Literal["none", "single", "perAz"]
"""NAT gateways for private subnets: none (bring your own egress), one shared, or one per AZ."""

ControlPlaneLogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]
"""EKS control-plane log streams sent to CloudWatch."""

CapacityType = Literal["ON_DEMAND", "SPOT"]
"""EC2 capacity type of a node pool (EKS node-group spelling)."""

Architecture = Literal["x86_64", "arm64"]
"""CPU architecture of a node pool's instance types."""

AmiType = Literal[
    "AL2023_x86_64_STANDARD", "AL2023_x86_64_NVIDIA", "AL2023_ARM_64_STANDARD", "AL2023_ARM_64_NVIDIA"
]
"""EKS AL2023 AMI types kfstack uses (the NVIDIA variants ship the driver and toolkit)."""

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
"""Kubernetes taint effects."""

AccessMode = Literal["ReadWriteMany", "ReadWriteOnce"]
"""PersistentVolumeClaim access modes kfstack creates."""

ReclaimPolicy = Literal["Delete", "Retain"]
"""StorageClass reclaim policies."""

EfsThroughputMode = Literal["elastic", "bursting"]
"""EFS throughput modes."""

BucketEncryption = Literal["aws:kms", "AES256"]
"""S3 default server-side encryption algorithms."""

KServeDeploymentMode = Literal["Standard", "Knative"]
"""KServe deployment modes (named so since KServe 0.16: Standard was RawDeployment)."""

MlflowDatabaseKind = Literal["rds", "sqlite"]
"""MLflow's backend store: an RDS PostgreSQL instance the stack creates (EKS), or sqlite on a volume."""

MLFLOW_NAMESPACE = "mlflow"
"""The namespace of the MLflow tracking server and model registry."""

MLFLOW_SERVICE = "mlflow"
"""The MLflow Service (and release, Deployment and service account) name."""

MLFLOW_PORT = 5000
"""The port the MLflow Service listens on (MLflow's own default)."""

MLFLOW_TRACKING_URI = f"http://{MLFLOW_SERVICE}.{MLFLOW_NAMESPACE}.svc.cluster.local:{MLFLOW_PORT}"
"""Where pods in the cluster reach MLflow's tracking and registry API (the pipelines' default)."""

MODEL_ARTIFACT_PREFIX = "mlflow"
"""The key prefix under the artifact bucket where MLflow keeps run artifacts and registered models
(`s3://<bucket>/mlflow/...`); KServe's access to model sources is scoped to it."""

MODEL_SERVER_ACCOUNT = "kfstack-model-server"
"""The service account InferenceServices run as (`spec.predictor.serviceAccountName`); the stack creates
it in the serving namespace and the pipelines' deploy step names it."""
