"""Operations against the cloud account that the Pulumi program does not manage: the state backend
(`kfstack bootstrap`) and the pre-deployment checks (`kfstack preflight`)."""
