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

MODEL_ARTIFACT_PREFIX = "mlflow"
"""Key prefix of model artifacts in the artifact bucket (the MLflow helper writes s3://<bucket>/mlflow/);
the model servers' role may read only below it."""
