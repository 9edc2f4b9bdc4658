"""Open Badges 3.0 AchievementCredentials for competencies signed off in git, as VC-JWTs.

The proof format is the Open Badges 3.0 JSON Web Token format: a compact JWS whose payload holds
the credential in a `vc` claim beside the registered claims `iss`, `jti`, `nbf` (and `exp` when the
credential expires). It needs no network, no linked-data canonicalisation and no DID resolver,
so anyone holding the file and the issuer's public key can check it offline. RS256 is the one
algorithm every conformant verifier must support, so the issuer key is an RSA key.

Signing and verifying are PyJWT's (over the `cryptography` package); nothing here computes a
signature. What this module owns is what goes into a credential and what a verifier must check
beyond the signature.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from compfw.model.identifiers import identifier

ALGORITHM = "RS256"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
# An evidence id names the commit and the file of a sign-off: urn:compfw:signoff:<commit>:<path>.
EVIDENCE_PREFIX = "urn:compfw:signoff:"


class CredentialError(Exception):
    """A credential cannot be issued or is not valid; the message says why."""


@dataclass(frozen=True)
class Issuer:
    id: str
    name: str
    url: str | None
    public_key_pem: str

    def profile(self) -> dict:
        profile = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile


@dataclass(frozen=True)
class SignoffCitation:
    """The sign-off a credential rests on and the commit that recorded it."""

    competency: str
    level: int | None
    achieved: bool
    date: str
    signer_name: str
    signer_email: str
    role: str
    feedback: str
    path: str          # repository-relative path of the record file
    commit: str        # the commit that added it
    recorded: str      # that commit's committer date (ISO 8601)
    signature: str     # "verified", "unsigned" or a word for what git said

    def evidence(self) -> dict:
        level = f" at level {self.level}" if self.level is not None else ""
        role = self.role.replace("_", " ")
        signed = {"verified": "signed, and the signature verified against the programme's allowed signers",
                  "unsigned": "not signed (the record rests on commit metadata)"}.get(
                      self.signature, f"signature status: {self.signature}")
        return {
            "id": EVIDENCE_PREFIX + self.commit + ":" + quote(self.path, safe="/"),
            "type": ["Evidence"],
            "name": f"Sign-off of {self.competency}{level} by {self.signer_name} ({role}) on {self.date}",
            "description": self.feedback,
            "narrative": (f"Signed off by {self.signer_name} <{self.signer_email}> as {role} on {self.date}; "
                          f"recorded in git commit {self.commit} on {self.recorded} ({signed}); "
                          f"record file `{self.path}`."),
            "genre": "Sign-off",
        }


def parse_evidence_id(value: str) -> tuple[str, str] | None:
    """(commit, path) from an evidence id this module wrote, or None for any other id."""
    if not isinstance(value, str) or not value.startswith(EVIDENCE_PREFIX):
        return None
    commit, sep, path = value[len(EVIDENCE_PREFIX):].partition(":")
    if not sep or not commit or not path or not all(c in "0123456789abcdef" for c in commit):
        return None
    return commit, unquote(path)


def identity_hash(email: str, salt: str) -> str:
    """The recipient as Open Badges hashes an identity: sha256 of the address and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def recipient(email: str) -> dict:
    salt = secrets.token_hex(16)
    return {"type": "IdentityObject", "identityHash": identity_hash(email, salt),
            "identityType": "emailAddress", "hashed": True, "salt": salt}


def _datetime(day: str) -> str:
    return f"{day}T00:00:00Z"


def _framework_key(framework: dict) -> str:
    return f"{framework['id']}@{framework['version']}"


def achievement_id(framework: dict, competency_id: str) -> str:
    """The CASE export's item identifier of the competency, as a URN: one per framework version."""
    return "urn:uuid:" + identifier(f"{_framework_key(framework)}/competency/{competency_id}")


def _level_id(framework: dict, value: int) -> str:
    return "urn:uuid:" + identifier(f"{_framework_key(framework)}/scale/{value}")


def _result_parts(framework: dict, row: dict) -> tuple[list[dict], list[dict]]:
    """The achievement's result description and the trainee's result, on the framework's scale."""
    key = _framework_key(framework)
    description_id = "urn:uuid:" + identifier(f"{key}/result/{row['id']}")
    scale = framework.get("scale") or []
    if row["level"] is None or not scale:
        description = {"id": description_id, "type": ["ResultDescription"], "name": "Signed off as achieved",
                       "resultType": "Status"}
        return [description], [{"type": ["Result"], "resultDescription": description_id, "status": "Completed"}]
    levels = [{"id": _level_id(framework, lv["value"]), "type": ["RubricCriterionLevel"], "name": lv["name"],
               "level": str(lv["value"])} for lv in scale]
    description = {"id": description_id, "type": ["ResultDescription"], "name": "Level on the framework's scale",
                   "resultType": "RubricCriterionLevel", "rubricCriterionLevel": levels}
    if row["target"] is not None:
        description["requiredLevel"] = _level_id(framework, row["target"])
    result = {"type": ["Result"], "resultDescription": description_id,
              "achievedLevel": _level_id(framework, row["level"]), "value": str(row["level"])}
    return [description], [result]


def competency_credential(doc: dict, row: dict, citation: SignoffCitation, issuer: Issuer,
                          issued: dt.datetime) -> dict:
    """The credential for one achieved competency of a status document (`status --json`)."""
    framework = doc["framework"]
    results, result = _result_parts(framework, row)
    achievement = {
        "id": achievement_id(framework, row["id"]),
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": f"{row['id']} {row['section_title']}",
        "description": row["text"],
        "criteria": {"narrative": _criteria(row)},
        "humanCode": row["id"],
        "version": str(framework["version"]),
        "alignment": [{"type": ["Alignment"], "targetName": row["text"][:200],
                       "targetUrl": achievement_id(framework, row["id"]), "targetType": "CFItem",
                       "targetCode": row["id"], "targetFramework": framework["title"]}],
        "resultDescription": results,
    }
    return _credential(doc, achievement, result, [citation.evidence()], issuer, issued, citation.date,
                       f"{row['id']}: {doc['trainee']['name']}")


def graduation_credential(doc: dict, citations: list[SignoffCitation], issuer: Issuer, issued: dt.datetime) -> dict:
    """The credential for completing the scheme, for a graduation-ready trainee."""
    framework = doc["framework"]
    rd = doc["readiness"]
    key = _framework_key(framework)
    achievement = {
        "id": "urn:uuid:" + identifier(f"{key}/graduation"),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"Completed: {framework['title']}",
        "description": f"Graduation-ready on {framework['title']}, version {framework['version']}.",
        "criteria": {"narrative": f"At least {rd['graduation_percent']}% of the competencies the trainee's "
                                  "framework and specialism require, each signed off at its target by an "
                                  "authorised manager."},
        "version": str(framework["version"]),
    }
    description_id = "urn:uuid:" + identifier(f"{key}/graduation/percent")
    achievement["resultDescription"] = [{"id": description_id, "type": ["ResultDescription"],
                                         "name": "Percentage of required competencies achieved",
                                         "resultType": "Percent", "valueMin": "0", "valueMax": "100",
                                         "requiredValue": str(rd["graduation_percent"])}]
    result = [{"type": ["Result"], "resultDescription": description_id,
               "value": f"{doc['percent_achieved']}"}]
    last = max((c.date for c in citations), default=doc["as_of"])
    return _credential(doc, achievement, result, [c.evidence() for c in citations], issuer, issued, last,
                       f"Graduation: {doc['trainee']['name']}")


def _criteria(row: dict) -> str:
    target = row["target"]
    level = f" at level {target} or above" if target is not None else ""
    return f"Signed off{level} by an authorised manager, with feedback, against: {row['text']}"


def _credential(doc: dict, achievement: dict, result: list[dict], evidence: list[dict], issuer: Issuer,
                issued: dt.datetime, awarded: str, name: str) -> dict:
    return {
        "@context": list(CONTEXT),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": list(CREDENTIAL_TYPE),
        "name": name,
        "issuer": issuer.profile(),
        "validFrom": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "awardedDate": _datetime(awarded),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient(doc["trainee"]["email"])],
            "achievement": achievement,
            "result": result,
        },
        "evidence": evidence,
    }


# --- the JWT proof -----------------------------------------------------------------------------


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Any) -> dict:
    """The RSA public key as a JWK with its RFC 7638 thumbprint as `kid`."""
    numbers = public_key.public_numbers()
    jwk = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    canonical = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode("ascii")
    jwk["kid"] = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode("ascii")
    return jwk


def load_private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise CredentialError(f"the key file is not an unencrypted PEM private key ({type(exc).__name__})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError("the issuer key must be an RSA key (Open Badges 3.0 verifiers must support RS256)")
    return key


def load_public_key(pem: str | bytes) -> Any:
    from compfw.model.policy import rsa_public_key

    try:
        return rsa_public_key(pem)
    except ValueError as exc:
        raise CredentialError(f"the issuer's public key: {exc}") from None


def sign(credential: dict, private_key: Any) -> str:
    """The credential as a VC-JWT (compact JWS, RS256), with the public key in the header."""
    import jwt

    jwk = public_jwk(private_key.public_key())
    issued = dt.datetime.strptime(credential["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    claims = {"iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": int(issued.timestamp()),
              "vc": credential}
    if "validUntil" in credential:
        until = dt.datetime.strptime(credential["validUntil"], "%Y-%m-%dT%H:%M:%SZ")
        claims["exp"] = int(until.replace(tzinfo=dt.timezone.utc).timestamp())
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"typ": "JWT", "kid": jwk["kid"], "jwk": jwk})


@dataclass
class Decoded:
    credential: dict
    header: dict
    key_source: str     # "issuer" when checked against a key the verifier trusts, "embedded" otherwise


def decode(token: str, trusted_key: Any | None, now: dt.datetime | None = None) -> Decoded:
    """Check the signature, the dates and the claims; raises CredentialError with the reason."""
    import jwt

    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise CredentialError("not a compact JWS (a VC-JWT has three base64url parts separated by dots)") from None
    if header.get("alg") != ALGORITHM:
        raise CredentialError(f"the signature algorithm must be {ALGORITHM}")
    key, source = trusted_key, "issuer"
    if key is None:
        key, source = _embedded_key(header), "embedded"
    elif isinstance(header.get("kid"), str) and header["kid"] != public_jwk(key)["kid"]:
        raise CredentialError("signed by a key that is not the issuer's (the key id does not match)")
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["iss", "jti", "nbf"]},
                            leeway=0)
    except jwt.ExpiredSignatureError:
        raise CredentialError("the credential has expired") from None
    except jwt.ImmatureSignatureError:
        raise CredentialError("the credential is not valid yet") from None
    except jwt.InvalidSignatureError:
        raise CredentialError("the signature does not match: the credential was changed after it was signed, "
                              "or it was signed by another key") from None
    except jwt.PyJWTError as exc:
        raise CredentialError(f"the token is malformed ({type(exc).__name__})") from None
    credential = claims.get("vc")
    if not isinstance(credential, dict):
        raise CredentialError("the token carries no credential (no `vc` claim)")
    problems = structure_problems(credential)
    if claims["iss"] != (credential.get("issuer") or {}).get("id"):
        problems.append("the `iss` claim is not the credential's issuer id")
    if claims["jti"] != credential.get("id"):
        problems.append("the `jti` claim is not the credential's id")
    if problems:
        raise CredentialError("; ".join(problems))
    return Decoded(credential, header, source)


def _embedded_key(header: dict) -> Any:
    import jwt

    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        raise CredentialError("no issuer key to check against: the token has no RSA key in its header")
    try:
        return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        raise CredentialError("the key in the token's header is not a valid RSA JWK") from None


def structure_problems(credential: dict) -> list[str]:
    """What an Open Badges 3.0 AchievementCredential must have, checked without the JSON Schema.

    The official schema is checked in compfw's tests; at run time these are the requirements a
    verifier relies on, so a tampered or foreign document is refused with a reason.
    """
    problems = []
    context = credential.get("@context")
    if not isinstance(context, list) or context[:1] != CONTEXT[:1] or len(context) < 2 \
            or not str(context[1]).startswith("https://purl.imsglobal.org/spec/ob/v3p0/context"):
        problems.append("@context is not the Verifiable Credentials 2.0 and Open Badges 3.0 contexts")
    kinds = credential.get("type")
    if not isinstance(kinds, list) or "VerifiableCredential" not in kinds or not (
            {"OpenBadgeCredential", "AchievementCredential"} & set(map(str, kinds))):
        problems.append("type is not an Open Badges AchievementCredential")
    for field in ("id", "validFrom"):
        if not isinstance(credential.get(field), str):
            problems.append(f"`{field}` is missing")
    issuer = credential.get("issuer")
    if not isinstance(issuer, dict) or not isinstance(issuer.get("id"), str):
        problems.append("the issuer has no id")
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if not isinstance(achievement, dict) or not all(k in achievement for k in ("id", "name", "criteria")):
        problems.append("credentialSubject has no complete achievement")
    if isinstance(subject, dict) and not (subject.get("id") or subject.get("identifier")):
        problems.append("credentialSubject names no recipient")
    return problems
