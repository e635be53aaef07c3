"""CloudFormation for the sandbox: firefly's own stack engine on top of moto's resource models.

Why not patch moto's CloudFormation backend? Its `Stack` and `ResourceMap` create resources
lazily while resolving `Ref`s, compute Outputs on every read (describing a deleted stack
re-creates what its outputs reference), let a failing resource escape from the API call instead of
rolling back, record stack-level events only, look change sets up by name across all stacks and
have no notion of IMPORT, latency or DELETE_FAILED. Those are the behaviours firefly depends on,
and they sit in the core of that design, so small patches cannot restore them.

What is kept from moto is what it does well: every service's resource model and its
`create_from_cloudformation_json` / `update_from_cloudformation_json` / `delete` entry points (the
`CloudFormationModel` extension point), the service backends, the wire protocol and the error
types. Around them this package provides:

- `model`: stacks, change sets, resources and events, held per account and region;
- `template`: parsing, the SAM transform, parameters and call-time template validation;
- `intrinsics`: `Ref`, `Fn::GetAtt`, `Fn::Sub` and the other functions, resolved eagerly;
- `handlers`: how one resource type is created, updated and deleted (moto's model by default);
- `operations`: create, update, import and delete with per-resource events and rollback;
- `backend` and `responses`: the CloudFormation API actions, installed on moto's response class.
"""
