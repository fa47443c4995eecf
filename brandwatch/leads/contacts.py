"""Contacts in a text: phone numbers, WeChat and QQ ids, e-mail addresses, URLs. Normalised so that the
same number written two ways is one value (``0755-8888 1234`` and ``(0755)88881234`` → ``075588881234``).

Pure: no I/O. (Being filled in: extraction, obfuscated forms, QR payloads.)
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_DIGITS = re.compile(r"\d+")


def normalise_phone(text: str) -> str:
    """A Chinese phone number as digits: mobiles (11), landlines with their area code (0755…), 400/800 (10),
    95xxx/96xxx service numbers (5–6) and 10xxx carrier numbers; '' when it is none of these."""
    s = unicodedata.normalize("NFKC", text).strip()
    digits = "".join(_DIGITS.findall(s))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) in (12, 13, 14):
        digits = digits[2:]
    if re.fullmatch(r"9[56]\d{3,4}|1[01]\d{3}|12\d{3}", digits):
        return digits  # service numbers phonenumbers does not treat as dialable lines
    if re.fullmatch(r"[48]00\d{7}", digits):
        return digits
    candidate = digits if digits.startswith(("0", "1")) else ""
    if not candidate:
        return ""
    try:
        number = phonenumbers.parse(candidate, "CN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    national = str(number.national_number)
    return national if national.startswith("1") and len(national) == 11 else "0" + national


def normalise_domain(text: str) -> str:
    """A domain lower-case, without scheme, path, port or a leading www.; '' when it is not one."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = re.split(r"[/?#:]", s, maxsplit=1)[0].strip(".")
    if s.startswith("www."):
        s = s[4:]
    if not re.fullmatch(r"(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+"
                        r"[a-z\u00a1-\uffff]{2,63}", s):
        return ""
    return s
