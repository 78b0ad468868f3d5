"""Is a link's domain an official one, a look-alike of one, or a link shortener?

Scam links borrow the names of banks and of the public-service portal:
"vietcombank-vn.com", "vietc0mbank.com.vn", "dichvucong-gov.vn",
"vneid.gov-vn.top". A host is a look-alike when one of its labels, read with
digits as the letters they imitate ("0" as "o", "1" as "l"), contains a brand
or is within a small edit distance of it, and the host is not that brand's
own domain (or a subdomain of it). Any host pretending to be "gov" outside
.gov.vn is one too. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Official domain -> the brand name scammers copy.
OFFICIAL_DOMAINS: dict[str, str] = {
    "dichvucong.gov.vn": "dichvucong",
    "vneid.gov.vn": "vneid",
    "bocongan.gov.vn": "bocongan",
    "vietcombank.com.vn": "vietcombank",
    "bidv.com.vn": "bidv",
    "agribank.com.vn": "agribank",
    "vietinbank.vn": "vietinbank",
    "techcombank.com.vn": "techcombank",
    "mbbank.com.vn": "mbbank",
    "vpbank.com.vn": "vpbank",
    "tpb.vn": "tpbank",
    "acb.com.vn": "acb",
    "sacombank.com.vn": "sacombank",
    "evn.com.vn": "evn",
    "evnnpc.vn": "evnnpc",
    "vnpost.vn": "vnpost",
    "viettel.vn": "viettel",
    "vnpt.vn": "vnpt",
    "mobifone.vn": "mobifone",
    "baohiemxahoi.gov.vn": "baohiemxahoi",
}
# Further official hosts of the same brands (no look-alike check against them).
_ALSO_OFFICIAL = ("gov.vn", "vietcombank.com", "bidv.vn", "agribank.vn", "tpbank.vn", "evn.vn")

SHORTENERS = frozenset(
    {
        "bit.ly", "tinyurl.com", "t.ly", "cutt.ly", "shorturl.at", "rb.gy", "is.gd",
        "goo.gl", "tiny.cc", "s.id", "ow.ly", "t.co", "rebrand.ly", "bom.so", "shorten.asia",
        "v.gd", "tinyurl.vn", "link1s.com",
    }
)  # fmt: skip
# Top-level domains that cost next to nothing and carry most scam links here.
CHEAP_TLDS = frozenset(
    {"xyz", "top", "icu", "tk", "ml", "ga", "cf", "gq", "cc", "vip", "click", "online", "site",
     "shop", "fun", "su", "ws", "live", "club"}
)  # fmt: skip

_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_IP_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@dataclass(frozen=True)
class DomainSignal:
    kind: str  # "lookalike", "shortener", "cheap_tld", "ip_host"
    host: str
    brand: str = ""  # the official domain imitated, for "lookalike"


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def is_official(host: str) -> bool:
    return any(_within(host, d) for d in (*OFFICIAL_DOMAINS, *_ALSO_OFFICIAL))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings: the plain dynamic programme)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _imitated(host: str) -> str:
    """The official domain ``host`` imitates, or ""."""
    labels = [label.translate(_LEET) for label in host.split(".")]
    parts = [part for label in labels for part in label.split("-")]
    joined = "".join(labels).replace("-", "")
    for domain, brand in OFFICIAL_DOMAINS.items():
        if len(brand) <= 4:
            # Short names ("bidv", "evn", "acb") occur inside ordinary words:
            # only a whole part counts.
            if brand in parts:
                return domain
            continue
        if brand in joined:
            return domain
        # A typo of the brand: one edit for short names, two for long ones.
        allowed = 1 if len(brand) < 8 else 2
        if any(abs(len(p) - len(brand)) <= allowed and edit_distance(p, brand) <= allowed
               for p in (*labels, *parts)):  # fmt: skip
            return domain
    if "gov" in parts or "govvn" in joined:
        return "gov.vn"
    return ""


def domain_signals(host: str) -> list[DomainSignal]:
    """What is wrong with ``host`` (nothing for an official domain)."""
    host = host.lower()
    if is_official(host):
        return []
    signals: list[DomainSignal] = []
    if host in SHORTENERS:
        signals.append(DomainSignal("shortener", host))
        return signals
    if _IP_HOST.match(host):
        return [DomainSignal("ip_host", host)]
    imitated = _imitated(host)
    if imitated:
        signals.append(DomainSignal("lookalike", host, brand=imitated))
    if host.rsplit(".", 1)[-1] in CHEAP_TLDS:
        signals.append(DomainSignal("cheap_tld", host))
    return signals
