"""The payments platform's policy rules: one copy, run by the CrossGuard pack and `invoke plan`."""

from payments_policy.model import PolicyContext, PolicyInput, Rule
from payments_policy.rules import RULES
from payments_policy.verdicts import Verdict, Violation, evaluate

__all__ = ["RULES", "PolicyContext", "PolicyInput", "Rule", "Verdict", "Violation", "evaluate"]
