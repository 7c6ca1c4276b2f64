"""ossgrowth on AWS: the Lambda entry points (:mod:`ossgrowth.aws.handlers`) and the deployment
artifact they run from (:mod:`ossgrowth.aws.package`); docs/aws.md tells the whole of it."""

__all__: list[str] = []
