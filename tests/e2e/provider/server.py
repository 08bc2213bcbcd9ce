"""A stand-in `aws` resource provider plugin, served over Pulumi's `ResourceProvider` gRPC interface.

The engine starts it as `pulumi-resource-aws` (first on PATH) for every stack operation. It keeps
its resources in the `Cloud` at `$PAYMENTS_TEST_CLOUD`, answers data sources from AWS (moto, via
boto3), and behaves as AWS and the real provider do where a journey depends on it:

- `Check` returns the inputs; `Diff` compares old inputs with new ones and marks a replacement for
  the arguments AWS cannot change in place (`aws_rules.FORCE_NEW`);
- `Create` refuses a name the account already holds, `Delete` refuses a resource whose deletion
  protection is on or that another live resource still uses, and a protected database leaves its
  final snapshot behind;
- `Read` answers from the cloud as it is now, inputs included, so a refresh sees a change made
  outside Pulumi, and a resource deleted outside Pulumi reads as gone; the call log marks a read
  by id alone (an import) as `importing`;
- `Configure` applies the account guard (`allowedAccountIds`) to the caller, or to the role
  `assumeRoles` names, and refuses any other account before a single call;
- every call is recorded in the cloud's call log.

Per-test behaviour: `PAYMENTS_TEST_SLOW="aws:rds/instance:Instance=20,<type>=<seconds>"` makes the
provider take that long on each create, update and delete of those types (the engine's `Cancel`
cuts the wait short, as a real provider stops waiting on AWS); `PAYMENTS_TEST_FAIL="<type>=<message>"`
fails every create and update of a type with that message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc, status_pb2

from tests.e2e.provider.aws_rules import (
    DELETION_PROTECTION,
    IN_USE,
    UNIQUE_NAMES,
    ZONE_TYPE,
    forces_replacement,
    hex_id,
    plain,
    references,
)
from tests.e2e.provider.cloud import Cloud, key
from tests.e2e.provider.invokes import FROM_CLOUD, INVOKES, InvokeFailure
from tests.e2e.provider.outputs import created

# The version of pulumi-aws the project pins: the engine asks the plugin for it.
VERSION = "7.51.1"
_SNAPSHOT = "aws:rds/snapshot:Snapshot"  # a final snapshot: in the cloud, in no stack
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker for a value known only after apply


def _to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return plain(json_format.MessageToDict(struct)) if struct is not None else {}


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value)
    return out


def _type_of(urn: str) -> str:
    # urn:pulumi:<stack>::<project>::<parent types$>type::name
    return urn.split("::")[2].rsplit("$", 1)[-1]


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _parse_pairs(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = item.rpartition("=")
        pairs[key] = value
    return pairs


_ABSENT = object()
_KINDS = {
    ("add", False): provider_pb2.PropertyDiff.ADD,
    ("add", True): provider_pb2.PropertyDiff.ADD_REPLACE,
    ("delete", False): provider_pb2.PropertyDiff.DELETE,
    ("delete", True): provider_pb2.PropertyDiff.DELETE_REPLACE,
    ("update", False): provider_pb2.PropertyDiff.UPDATE,
    ("update", True): provider_pb2.PropertyDiff.UPDATE_REPLACE,
}


def _leaf_diffs(old: Any, new: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, add/delete/update) for each leaf where `old` and `new` differ."""
    if old is _ABSENT or new is _ABSENT:
        yield path, "add" if old is _ABSENT else "delete"
    elif isinstance(old, dict) and isinstance(new, dict):
        for k in sorted(set(old) | set(new)):
            if old.get(k, _ABSENT) != new.get(k, _ABSENT):
                yield from _leaf_diffs(old.get(k, _ABSENT), new.get(k, _ABSENT), f"{path}.{k}")
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                yield from _leaf_diffs(a, b, f"{path}[{i}]")
    elif old != new:
        yield path, "update"


class _Status(grpc.Status):
    """A gRPC status whose details carry a Pulumi error detail (how a provider reports a partial failure)."""

    def __init__(self, message: str, details: bytes) -> None:
        self.code = grpc.StatusCode.UNKNOWN
        self.details = message
        self.trailing_metadata = (("grpc-status-details-bin", details),)


class Failed(Exception):
    """An operation AWS refused: the message is AWS's."""


class TestAwsProvider(provider_pb2_grpc.ResourceProviderServicer):
    """The servicer: see the module docstring."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.region = "ap-northeast-2"
        self._roles: list[dict[str, Any]] = []
        self._session: Any = None
        self._account = ""
        self.cancelled = threading.Event()
        self.slow = {k: float(v) for k, v in _parse_pairs(os.environ.get("PAYMENTS_TEST_SLOW", "")).items()}
        self.fail = _parse_pairs(os.environ.get("PAYMENTS_TEST_FAIL", ""))

    # plumbing ----------------------------------------------------------------------------

    @property
    def session(self) -> Any:
        """The boto3 session the provider acts as: the caller's, or the role `assumeRoles` names."""
        if self._session is None:
            import boto3  # only when AWS is asked: most previews never do

            session = boto3.Session(region_name=self.region)
            if self._roles:
                creds = session.client("sts").assume_role(
                    RoleArn=self._roles[0]["roleArn"], RoleSessionName=self._roles[0].get("sessionName") or "pulumi"
                )["Credentials"]
                session = boto3.Session(
                    region_name=self.region,
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                )
            self._session = session
        return self._session

    @property
    def account(self) -> str:
        """The account the session belongs to (STS), asked once."""
        if not self._account:
            self._account = str(self.session.client("sts").get_caller_identity()["Account"])
        return self._account

    @contextmanager
    def _aws_errors(self, context: grpc.ServicerContext) -> Iterator[None]:
        try:
            yield
        except (Failed, InvokeFailure) as e:
            context.abort(grpc.StatusCode.UNKNOWN, str(e))

    def _waited(self, type_: str, op: str, urn: str) -> bool:
        """Take the time this type takes (`PAYMENTS_TEST_SLOW`); False when the engine cancelled the wait."""
        seconds = self.slow.get(type_, 0.0)
        if not seconds:
            return True
        self.cloud.record("waiting", type=type_, urn=urn, action=op, seconds=seconds)
        return not self.cancelled.wait(seconds)

    def _take_time(self, type_: str, op: str, urn: str) -> None:
        if not self._waited(type_, op, urn):
            raise Failed(f"{op} of {_name_of(urn)} interrupted: the operation was cancelled")

    @staticmethod
    def _abort_initialising(
        context: grpc.ServicerContext, rid: str, state: dict[str, Any], inputs: dict[str, Any]
    ) -> None:
        reason = "waiting for the resource to become available was cancelled"
        detail = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=reason)
        detail.details.add().Pack(
            provider_pb2.ErrorResourceInitFailed(
                id=rid, properties=_struct(state), inputs=_struct(inputs), reasons=[reason]
            )
        )
        context.abort_with_status(_Status(reason, detail.SerializeToString()))

    # the provider's own lifecycle --------------------------------------------------------

    def Handshake(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.ProviderHandshakeResponse(accept_secrets=False, accept_resources=False)

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        return plugin_pb2.PluginInfo(version=VERSION)

    def GetSchema(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.GetSchemaResponse(schema=json.dumps({"name": "aws", "version": VERSION}))

    def CheckConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        olds, news = _to_dict(request.old_inputs or request.olds), _to_dict(request.news)
        changed = sorted(k for k in set(olds) | set(news) if olds.get(k) != news.get(k) and not k.startswith("__"))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
        )

    def Configure(self, request: Any, context: grpc.ServicerContext) -> Any:
        args = _to_dict(request.args)
        variables = {k.split(":")[-1]: v for k, v in request.variables.items()}
        config = {**variables, **args}

        def value(key: str) -> Any:
            found = config.get(key)
            if isinstance(found, str) and found[:1] in "[{":
                return json.loads(found)
            return found

        self.region = value("region") or os.environ.get("AWS_REGION") or self.region
        self._roles = [r for r in value("assumeRoles") or [] if r.get("roleArn")]
        allowed = [str(a) for a in value("allowedAccountIds") or []]
        if not (allowed or self._roles):
            # Nothing to guard: AWS is asked only once a call needs it (a no-op preview never does).
            return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=True)
        try:
            account = self.account
        except Exception as e:  # no credentials: what the real provider says before anything else
            context.abort(grpc.StatusCode.UNKNOWN, f"configuring the AWS provider: no valid credential sources: {e}")
        self.cloud.record("configure", account=account, allowed=allowed, region=self.region)
        if allowed and account not in allowed:
            context.abort(grpc.StatusCode.UNKNOWN, f"AWS account ID not allowed: {account}")
        return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=True)

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.cancelled.set()
        self.cloud.record("cancel")
        return empty_pb2.Empty()

    def GetMapping(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.GetMappingResponse(provider="", data=b"")

    def GetMappings(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.GetMappingsResponse(providers=[])

    # data sources ------------------------------------------------------------------------

    def Invoke(self, request: Any, context: grpc.ServicerContext) -> Any:
        answer = INVOKES.get(request.tok)
        from_cloud = FROM_CLOUD.get(request.tok)
        self.cloud.record("invoke", token=request.tok)
        if answer is None and from_cloud is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the test provider has no data source {request.tok}")
        try:
            if from_cloud is not None:
                result = from_cloud(self.cloud.resources(), self.region, _to_dict(request.args))
            else:
                assert answer is not None
                result = answer(self.session, _to_dict(request.args))
        except InvokeFailure as e:
            return provider_pb2.InvokeResponse(failures=[provider_pb2.CheckFailure(property="", reason=str(e))])
        return provider_pb2.InvokeResponse(**{"return": _struct(result)})

    # resources ---------------------------------------------------------------------------

    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:
        news = _to_dict(request.news)
        prefix = news.get("namePrefix")
        if prefix and not news.get("name"):
            # A name from its prefix, kept while the prefix stays (the real provider's autonaming).
            olds = _to_dict(request.olds)
            old = olds.get("name")
            fresh = prefix + hex_id(int.from_bytes(request.randomSeed[:4] or b"\0", "big"), request.urn, 26)
            news["name"] = old if isinstance(old, str) and old.startswith(prefix) else fresh
        return provider_pb2.CheckResponse(inputs=_struct(news))

    def Diff(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_ = _type_of(request.urn)
        olds = _to_dict(request.old_inputs) if request.HasField("old_inputs") else _to_dict(request.olds)
        news = _to_dict(request.news)
        ignored = set(request.ignoreChanges)
        changed = sorted(
            k
            for k in set(olds) | set(news)
            if k not in ignored and not k.startswith("__") and olds.get(k) != news.get(k)
        )
        replaces = [k for k in changed if forces_replacement(type_, k)]
        # Paths to the leaves that differ (`tags.Environment`, `ingress[0].cidrBlocks`), as the real
        # provider reports them.
        detailed = {
            path: provider_pb2.PropertyDiff(
                kind=_KINDS[(kind, top in replaces)],
                inputDiff=True,
            )
            for top in changed
            for path, kind in _leaf_diffs(olds.get(top, _ABSENT), news.get(top, _ABSENT), top)
        }
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
            replaces=replaces,
            detailedDiff=detailed,
            hasDetailedDiff=True,
        )

    def Create(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_, name = _type_of(request.urn), _name_of(request.urn)
        inputs = _to_dict(request.properties)
        if request.preview:
            _, state = created(type_, name, inputs, 0, account=self.account, region=self.region)
            return provider_pb2.CreateResponse(
                id="", properties=_struct({k: (v if k in inputs else UNKNOWN) for k, v in state.items()})
            )
        with self._aws_errors(context):
            if type_ in self.fail:
                raise Failed(self.fail[type_])
            with self.cloud.transaction() as data:
                self._refuse_taken_name(type_, inputs, data)
                data["seq"] += 1
                rid, state = created(type_, name, inputs, data["seq"], account=self.account, region=self.region)
                if type_ == ZONE_TYPE and inputs.get("delegationSetId"):
                    state["nameServers"] = self._delegation_set_servers(str(inputs["delegationSetId"]))
                computed = sorted(k for k in state if k not in inputs)
                data["resources"][key(type_, rid)] = {
                    "type": type_,
                    "id": rid,
                    "urn": request.urn,
                    "props": state,
                    "computed": computed,
                }
            self.cloud.record("create", type=type_, urn=request.urn, id=rid)
        # AWS has accepted the resource; the real provider now waits for it to become available. A
        # cancel cuts the wait short and reports the resource as created but not initialised, so the
        # engine keeps it in the state (the next update finishes it) instead of losing it.
        if not self._waited(type_, "create", request.urn):
            self._abort_initialising(context, rid, state, inputs)
        return provider_pb2.CreateResponse(id=rid, properties=_struct(state))

    def _refuse_taken_name(self, type_: str, inputs: dict[str, Any], data: dict[str, Any]) -> None:
        live = [r for r in data["resources"].values() if r["type"] == type_]
        if type_ in UNIQUE_NAMES:
            key, message = UNIQUE_NAMES[type_]
            value = inputs.get(key)
            if value and any(r["props"].get(key) == value for r in live):
                raise Failed(message.format(value=value, account=self.account))
        if type_ == ZONE_TYPE and inputs.get("delegationSetId"):
            name = str(inputs.get("name", "")).rstrip(".")
            if any(
                str(r["props"].get("name", "")).rstrip(".") == name
                and r["props"].get("delegationSetId") == inputs["delegationSetId"]
                for r in live
            ):
                raise Failed(
                    f"ConflictingDomainExists: Cannot create hosted zone with DelegationSetId "
                    f"{inputs['delegationSetId']} as the DNSName {name} conflicts with existing ones sharing the "
                    "delegation set"
                )

    def _delegation_set_servers(self, set_id: str) -> list[str]:
        try:
            found = self.session.client("route53").get_reusable_delegation_set(Id=set_id)
        except Exception as e:
            raise Failed(f"NoSuchDelegationSet: {set_id}: {e}") from None
        return list(found["DelegationSet"]["NameServers"])

    def Read(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_ = _type_of(request.urn)
        importing = not _to_dict(request.properties)  # an import reads by id alone; a refresh sends the state
        self.cloud.record("read", type=type_, urn=request.urn, id=request.id, importing=importing)
        with self.cloud.transaction() as data:
            found = data["resources"].get(key(type_, request.id))
        if found is None:
            return provider_pb2.ReadResponse(id="")  # deleted outside Pulumi
        state = found["props"]
        # Inputs are read back from what the cloud holds now, as the real provider extracts them.
        inputs = {k: v for k, v in state.items() if k not in set(found.get("computed", ()))}
        return provider_pb2.ReadResponse(id=request.id, properties=_struct(state), inputs=_struct(inputs))

    def Update(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_ = _type_of(request.urn)
        olds = _to_dict(request.olds)
        old_inputs = _to_dict(request.old_inputs) if request.HasField("old_inputs") else {}
        news = _to_dict(request.news)
        state = {k: v for k, v in olds.items() if k not in old_inputs or k in news}
        state.update(news)
        if "tags" in news:
            state["tagsAll"] = news["tags"]
        if request.preview:
            return provider_pb2.UpdateResponse(properties=_struct(state))
        with self._aws_errors(context):
            self._take_time(type_, "update", request.urn)
            if type_ in self.fail:
                raise Failed(self.fail[type_])
            with self.cloud.transaction() as data:
                found = data["resources"].get(key(type_, request.id))
                if found is None:
                    raise Failed(f"NotFound: {request.id} does not exist")
                found["props"] = state
                found["computed"] = sorted(k for k in state if k not in news)
            self.cloud.record("update", type=type_, urn=request.urn, id=request.id)
        return provider_pb2.UpdateResponse(properties=_struct(state))

    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_ = _type_of(request.urn)
        with self._aws_errors(context):
            self._take_time(type_, "delete", request.urn)
            with self.cloud.transaction() as data:
                found = data["resources"].get(key(type_, request.id))
                if found is not None:
                    self._refuse_delete(type_, request.id, found["props"], data)
                    del data["resources"][key(type_, request.id)]
                    self._keep_final_snapshot(type_, found["props"], data)
            self.cloud.record("delete", type=type_, urn=request.urn, id=request.id)
        return empty_pb2.Empty()

    def _refuse_delete(self, type_: str, rid: str, props: dict[str, Any], data: dict[str, Any]) -> None:
        if type_ in DELETION_PROTECTION:
            key, message = DELETION_PROTECTION[type_]
            if props.get(key):
                raise Failed(message.format(arn=props.get("arn", rid)))
        if IN_USE.get(type_):
            needles = {rid, str(props.get("arn", rid))}
            users = [
                r["urn"]
                for r in data["resources"].values()
                if (r["type"], r["id"]) != (type_, rid) and references(r["props"], needles)
            ]
            if users:
                raise Failed(IN_USE[type_].format(id=rid, arn=props.get("arn", rid)))

    @staticmethod
    def _keep_final_snapshot(type_: str, props: dict[str, Any], data: dict[str, Any]) -> None:
        if type_ != "aws:rds/instance:Instance" or props.get("skipFinalSnapshot"):
            return
        snapshot = str(props.get("finalSnapshotIdentifier") or "")
        if not snapshot:
            raise Failed("InvalidParameterValue: FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot")
        where = key(_SNAPSHOT, snapshot)
        if where in data["resources"]:
            raise Failed(f"DBSnapshotAlreadyExists: Cannot create the snapshot because a snapshot named {snapshot}")
        data["resources"][where] = {
            "type": _SNAPSHOT,
            "id": snapshot,
            "urn": f"final-snapshot::{snapshot}",
            "props": {"dbSnapshotIdentifier": snapshot, "dbInstanceIdentifier": props.get("identifier")},
            "computed": [],
        }


def main(argv: list[str]) -> None:
    """Serve until the engine closes us: print the port on stdout (the plugin handshake), then wait."""
    argparse.ArgumentParser(add_help=False).parse_known_args(argv)
    folder = os.environ.get("PAYMENTS_TEST_CLOUD")
    if not folder:
        sys.exit("pulumi-resource-aws (test provider): set PAYMENTS_TEST_CLOUD to the folder of its cloud")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(TestAwsProvider(Cloud(folder)), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    main(sys.argv[1:])
