"""Stack config -> one frozen, validated settings object per layer.

Each layer declares a pydantic model deriving from `StackSettings`; its fields, by their
camelCase aliases, are exactly the keys its `Pulumi.yaml` declares (a test keeps them equal).
Defaults live in `Pulumi.yaml` only: the Pulumi CLI applies them, and so does the offline plan.

`load_settings` reads the running program's config; `parse_settings` does the same for a plain
`{"<namespace>:<key>": "value"}` mapping (the offline plan, preflight and tests). Both raise
`ConfigError`, a `pulumi.RunError`, so `pulumi up` prints the message without a traceback, and
they raise it before the program registers any resource.

Every mistake of a layer comes in that one error, one line each: unknown keys, values that fail
their own field's check, and cross-field rules (`cross_check` methods), which still run on the
fields that are valid when others are not.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Self, TypeVar

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from shared.environments import is_protected
from shared.guardrails import LOG_RETENTION_DAYS as PLATFORM_LOG_RETENTION_DAYS
from shared.guardrails import RULE_LOG_RETENTION
from shared.naming import ENV_PATTERN

S = TypeVar("S", bound="StackSettings")

# Regions this platform is built and tested for; the payments API runs in Seoul.
SUPPORTED_REGIONS: tuple[str, ...] = ("ap-northeast-2",)

_ACCOUNT_ID = re.compile(r"\d{12}")
# IAM role ARN in any partition: path and name use the characters IAM allows, name up to 64.
_ROLE_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")


class ConfigError(pulumi.RunError):
    """A user's config mistake: one line per bad key, naming key, value and what is expected."""


class InvalidSetting(Exception):
    """Raised by cross-field validators, which pydantic cannot attribute to one key by itself.

    Deliberately not a ValueError, so pydantic lets it through unwrapped.
    """

    def __init__(self, key: str, value: Any, expected: str) -> None:
        super().__init__(expected)
        self.key, self.value, self.expected = key, value, expected


class InvalidSettings(Exception):
    """Every cross-field rule a settings object breaks, raised together (not a ValueError, as above)."""

    def __init__(self, problems: Sequence[InvalidSetting]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


_READS = "__settings_fields_read__"
CrossCheck = Callable[..., Iterable[InvalidSetting] | None]


def cross_check(*fields: str) -> Callable[[CrossCheck], CrossCheck]:
    """Mark a settings method as a cross-field rule that reads `fields` (model field names).

    The method yields one `InvalidSetting` per mistake (raising one works too). Every rule runs, so
    all mistakes are reported at once; a rule that reads a field which already failed its own check
    is skipped, since it could not be judged and that field is reported already.
    """

    def mark(method: CrossCheck) -> CrossCheck:
        setattr(method, _READS, fields)
        return method

    return mark


class StackSettings(BaseModel):
    """Settings every layer has. `env` is the stack name; `region` is `aws:region`."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    # Fields that are not keys of the project's namespace.
    NOT_PROJECT_KEYS: ClassVar[dict[str, str]] = {"env": "stack name", "region": "aws:region"}

    env: str
    region: str
    service: str
    # The AWS accounts this stack may be deployed to (empty: any), and a role the provider
    # assumes before doing anything (empty: the caller's own credentials).
    allowed_account_ids: tuple[str, ...] = ()
    assume_role_arn: str = ""

    @field_validator("env")
    @classmethod
    def _env_is_a_short_lowercase_word(cls, v: str) -> str:
        if not ENV_PATTERN.match(v):
            raise ValueError("expected 2-10 lowercase letters or digits starting with a letter, e.g. prod, dev, pr42")
        return v

    @field_validator("region")
    @classmethod
    def _region_is_supported(cls, v: str) -> str:
        if v not in SUPPORTED_REGIONS:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_REGIONS)}")
        return v

    @field_validator("service")
    @classmethod
    def _service_is_a_name_part(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9]{1,11}", v):
            raise ValueError("expected 2-12 lowercase letters or digits starting with a letter")
        return v

    @field_validator("allowed_account_ids")
    @classmethod
    def _account_ids_are_12_digits(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for account in v:
            if not _ACCOUNT_ID.fullmatch(account):
                raise ValueError(f"expected 12-digit AWS account ids, e.g. 123456789012; {account!r} is not")
        if len(set(v)) != len(v):
            raise ValueError("expected each account id once")
        return v

    @field_validator("assume_role_arn")
    @classmethod
    def _role_arn_format(cls, v: str) -> str:
        if v and not _ROLE_ARN.fullmatch(v):
            raise ValueError("expected empty or an IAM role ARN such as arn:aws:iam::123456789012:role/deploy")
        return v

    @cross_check("assume_role_arn", "allowed_account_ids")
    def _role_lives_in_an_allowed_account(self) -> Iterator[InvalidSetting]:
        match = _ROLE_ARN.fullmatch(self.assume_role_arn)
        if match and self.allowed_account_ids and match.group(2) not in self.allowed_account_ids:
            yield InvalidSetting(
                "assumeRoleArn",
                self.assume_role_arn,
                f"expected a role in one of allowedAccountIds ({', '.join(self.allowed_account_ids)})",
            )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, fields in cls.cross_checks():
            unknown = sorted(set(fields) - set(cls.model_fields))
            if unknown:  # a misspelt field would never be skipped, and fail on a half-valid config
                raise TypeError(f"{cls.__name__}.{name} declares fields it does not have: {unknown}")

    @classmethod
    def cross_checks(cls) -> list[tuple[str, tuple[str, ...]]]:
        """(method name, fields it reads) of every `cross_check` rule, base classes first."""
        found: dict[str, tuple[str, ...]] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                fields = getattr(attr, _READS, None)
                if fields is not None:
                    found[name] = fields
        return list(found.items())

    def cross_field_problems(self, skip: Collection[str] = ()) -> list[InvalidSetting]:
        """The mistakes every cross-field rule finds, in rule order; rules reading a `skip` field don't run."""
        problems: list[InvalidSetting] = []
        for name, fields in self.cross_checks():
            if set(fields) & set(skip):
                continue
            try:
                problems.extend(getattr(self, name)() or ())
            except InvalidSetting as e:
                problems.append(e)
        return problems

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Self:
        problems = self.cross_field_problems()
        if problems:
            raise InvalidSettings(problems)
        return self

    @property
    def protected(self) -> bool:
        """Whether this stack is a protected environment (see `shared.environments`)."""
        return is_protected(self.env)

    @classmethod
    def config_keys(cls) -> tuple[str, ...]:
        """The project-namespace keys this model reads (what `Pulumi.yaml` must declare)."""
        return tuple(f.alias or name for name, f in cls.model_fields.items() if name not in cls.NOT_PROJECT_KEYS)


def _is_structured(annotation: Any) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return origin in (list, tuple, dict) or (isinstance(origin, type) and issubclass(origin, BaseModel))


def _key_label(model: type[StackSettings], namespace: str, loc: tuple[Any, ...]) -> str:
    if not loc:
        return namespace
    head = str(loc[0])
    for name, f in model.model_fields.items():
        if head in (name, f.alias):
            if name in model.NOT_PROJECT_KEYS:
                return model.NOT_PROJECT_KEYS[name]
            rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
            return f"{namespace}:{f.alias or name}{rest}"
    return f"{namespace}:{head}"


def _describe(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (list, dict)) else repr(value)


def _field_name(model: type[StackSettings], loc: tuple[Any, ...]) -> str | None:
    """The model field an error location points into (by field name or alias), or None (model level)."""
    if not loc:
        return None
    for name, f in model.model_fields.items():
        if loc[0] in (name, f.alias):
            return name
    return None


def _invalid(namespace: str, e: InvalidSetting) -> str:
    return f"{namespace}:{e.key} = {_describe(e.value)} is invalid: {e.expected}"


def _partial(model: type[S], raw: Mapping[str, Any], bad: set[str]) -> S:
    """`model` built from its valid fields only, without validators: what cross-field rules can still judge.

    Fields that fail on their own are left out (and added to `bad`), so rules reading them are skipped.
    """
    values: dict[str, Any] = {}
    for name, f in model.model_fields.items():
        key = f.alias or name
        if name in bad or key not in raw:
            continue
        try:
            values[name] = TypeAdapter(f.annotation or Any).validate_python(raw[key])
        except ValidationError:
            bad.add(name)
    return model.model_construct(**values)


def parse_settings(model: type[S], config: Mapping[str, Any], *, namespace: str, env: str) -> S:
    """Build `model` from `{"<namespace>:<key>": value, "aws:region": ...}` (strings or JSON values).

    Unknown keys in the namespace are rejected with a did-you-mean hint. Every mistake found is
    reported in one `ConfigError`, one line each: unknown keys and unreadable JSON first, then
    each field that fails its own check, then each cross-field rule broken by the valid fields.
    """
    known = model.config_keys()
    lines: list[str] = []
    raw: dict[str, Any] = {"env": env, "region": config.get("aws:region")}
    for full_key, value in sorted(config.items()):
        ns, _, key = full_key.partition(":")
        if ns != namespace:
            continue
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            lines.append(
                f"{full_key} is not a setting of this project"
                + (f" (did you mean {namespace}:{hint[0]}?)" if hint else f"; known: {', '.join(known)}")
            )
            continue
        raw[key] = value
    unreadable: set[str] = set()
    for name, f in model.model_fields.items():
        key = f.alias or name
        value = raw.get(key)
        if isinstance(value, str) and _is_structured(f.annotation):
            try:
                raw[key] = json.loads(value)
            except json.JSONDecodeError:
                lines.append(f"{namespace}:{key} = {value!r} is not valid JSON: expected a list or object")
                unreadable.add(name)
    if raw["region"] is None:
        raw.pop("region")
    try:
        settings = model.model_validate(raw)
    except InvalidSettings as e:
        lines += [_invalid(namespace, p) for p in e.problems]
    except InvalidSetting as e:  # a model validator that raises its first mistake itself
        lines.append(_invalid(namespace, e))
    except ValidationError as e:
        bad = set(unreadable)
        for err in e.errors():
            field = _field_name(model, tuple(err["loc"]))
            if field in unreadable:
                continue  # already reported as unreadable JSON
            if field is not None:
                bad.add(field)
            label = _key_label(model, namespace, tuple(err["loc"]))
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "missing":
                lines.append(f"{label} is required but not set")
            else:
                lines.append(f"{label} = {_describe(err['input'])} is invalid: {msg}")
        partial = _partial(model, raw, bad)
        lines += [_invalid(namespace, p) for p in partial.cross_field_problems(skip=bad)]
    else:
        if not lines:
            return settings
    raise ConfigError("\n".join(lines))


def load_settings(model: type[S]) -> S:
    """Read the running Pulumi program's config into `model` (see `parse_settings`)."""
    config: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return parse_settings(model, config, namespace=pulumi.get_project(), env=pulumi.get_stack())


# Reusable field checks -------------------------------------------------------------------


def ipv4_network(value: str, *, min_prefix: int = 16, max_prefix: int = 28) -> ipaddress.IPv4Network:
    """Parse an IPv4 CIDR whose prefix AWS accepts for a VPC or subnet, or raise ValueError."""
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise ValueError(
            f"expected an IPv4 network in CIDR notation with host bits zero, e.g. 10.0.0.0/{min_prefix}"
        ) from None
    if not min_prefix <= net.prefixlen <= max_prefix:
        raise ValueError(f"expected a prefix length between /{min_prefix} and /{max_prefix}")
    return net


LOG_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def log_retention(value: int) -> int:
    """The platform's log retention (`shared.guardrails`), or raise ValueError.

    A value CloudWatch would refuse is named as such first; any other value is refused because
    the policy pack's log-retention rule would fail every log group it sets.
    """
    if value not in LOG_RETENTION_DAYS:
        raise ValueError(f"expected a CloudWatch retention period: one of {LOG_RETENTION_DAYS}")
    if value != PLATFORM_LOG_RETENTION_DAYS:
        raise ValueError(
            f"expected {PLATFORM_LOG_RETENTION_DAYS} days, the platform's log retention "
            f"(policy rule {RULE_LOG_RETENTION} fails any other value)"
        )
    return value
