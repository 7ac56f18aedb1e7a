"""A software passkey for tests of allauth's real WebAuthn views (needs fido2, allauth[mfa]).

It answers the options allauth's views hand to the browser's
``navigator.credentials.create()`` / ``get()`` with what a platform
authenticator returns: a "none" attestation of a new ES256 key, and
assertions signed with it. allauth verifies them with fido2's server, as it
verifies a real browser's.
"""

import hashlib
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

ORIGIN = "http://testserver"


class SoftPasskey:
    """One resident credential, user-verified, as a phone or laptop holds it."""

    def __init__(self, origin=ORIGIN):
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle = None
        self.rp_id = None
        self.counter = 0

    def create(self, creation_options):
        """The RegistrationResponseJSON for allauth's ``creation_options``."""
        options = creation_options["publicKey"]
        self.rp_id = options["rp"]["id"]
        self.user_handle = websafe_decode(options["user"]["id"])
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=options["challenge"], origin=self.origin
        )
        credential = AttestedCredentialData.create(
            Aaguid.NONE, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV | AuthenticatorData.FLAG.AT
        auth_data = AuthenticatorData.create(self._rp_hash(), flags, self.counter, credential)
        attestation = AttestationObject.create("none", auth_data, {})
        raw_id = websafe_encode(self.credential_id)
        return {
            "type": "public-key",
            "id": raw_id,
            "rawId": raw_id,
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(attestation),
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, request_options):
        """The AuthenticationResponseJSON for allauth's ``request_options``."""
        options = request_options["publicKey"]
        self.counter += 1
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=options["challenge"], origin=self.origin
        )
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV
        auth_data = AuthenticatorData.create(self._rp_hash(), flags, self.counter)
        signature = self.key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        raw_id = websafe_encode(self.credential_id)
        return {
            "type": "public-key",
            "id": raw_id,
            "rawId": raw_id,
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
            "clientExtensionResults": {},
        }

    def _rp_hash(self):
        return hashlib.sha256(self.rp_id.encode()).digest()
