"""Kubernetes' name syntax, checked at validate time so `pulumi up` is not where a bad name surfaces.

The rules of k8s.io/apimachinery/pkg/util/validation: a DNS-1123 label (namespaces, PVC and pod
volume names), a DNS-1123 subdomain (StorageClass names, label key prefixes), a qualified name
(label, annotation and taint keys: `[prefix/]name`) and a label value. Each function returns why
a value breaks the rule, or None.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", re.ASCII)
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", re.ASCII)
_QUALIFIED_NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", re.ASCII)

LABEL_RULE = (
    "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"
)


def dns_label_problem(value: str) -> str | None:
    """Why `value` is not a DNS-1123 label (a namespace, a PVC or pod volume name)."""
    if len(value) > 63:
        return f"at most 63 characters (DNS-1123 label), has {len(value)}"
    if not _LABEL.fullmatch(value):
        return f"not a DNS-1123 label: {LABEL_RULE}"
    return None


def dns_subdomain_problem(value: str) -> str | None:
    """Why `value` is not a DNS-1123 subdomain (e.g. a StorageClass name)."""
    if len(value) > 253:
        return f"at most 253 characters (DNS-1123 subdomain), has {len(value)}"
    if not _SUBDOMAIN.fullmatch(value):
        return (
            "not a DNS-1123 subdomain: dot-separated parts of lowercase letters, digits and '-', each "
            "starting and ending with a letter or digit"
        )
    return None


def qualified_name_problem(value: str) -> str | None:
    """Why `value` is not a qualified name (a label, annotation or taint key: `[prefix/]name`)."""
    prefix, slash, name = value.rpartition("/")
    if slash and not prefix:
        return "the prefix before '/' is empty"
    if value.count("/") > 1:
        return "a key has at most one '/' (prefix/name)"
    if prefix and (why := dns_subdomain_problem(prefix)):
        return f"prefix '{prefix}': {why}"
    if len(name) > 63:
        return f"name part at most 63 characters, has {len(name)}"
    if not _QUALIFIED_NAME_PART.fullmatch(name):
        return (
            "not a qualified name: an optional DNS subdomain prefix and '/', then letters, digits, '-', "
            "'_' and '.', starting and ending with a letter or digit"
        )
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a valid label (or taint) value: empty, or a qualified name part of <= 63."""
    if value == "":
        return None
    if len(value) > 63:
        return f"at most 63 characters, has {len(value)}"
    if not _QUALIFIED_NAME_PART.fullmatch(value):
        return "letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
    return None
