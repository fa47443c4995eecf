"""The matcher: compares names with protected marks the way examiners do.

Public: :class:`Matcher`, :func:`split_company_name`, :func:`generate_variants`,
and :data:`RULES` (rule name → base score, legal basis, description).
"""

from .matcher import Matcher
from .names import CompanyName, split_company_name
from .rules import RULES

__all__ = ["RULES", "CompanyName", "Matcher", "split_company_name"]
