"""Step 11, payment for the organisation's service — only where the operator's policy sets a price.

Three ways to settle it: an invoice inside Telegram (when a provider token is configured), a receipt of a
payment by the operator's instructions, or an exemption the policy allows (students and pensioners upload
a proof; a child under 14 needs none — the age comes from the draft). One way replaces any other.

Telegram's side: every invoice sent is remembered as a pending row under a random payload; a pre-checkout
is approved only for such an invoice of this person at today's price; a successful payment is stored once
(its charge id is unique) and settles the draft wherever the person is in the conversation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from domain.applicant import Draft
from domain.policy import Exemption, Policy
from fsm.states import Apply
from fsm.steps import STEP_BY_KEY
from services.conversation import Conversation
from services.uploads import Received, TelegramFile, UploadService
from services.wizard import Screen, WizardService, offered_exemptions
from storage.files import Upload
from storage.payments import PaymentRepository, Receipt
from storage.profiles import Profile

PAYLOAD_PREFIX = "emk-pay"
PROOF_RECEIPT = "receipt"
PROOF_EXEMPTION = "exemption:"
RECEIPT_KIND = "payment_receipt"  # uploads.kind of a receipt paid by the operator's instructions
PROOF_KIND = "exemption_proof"  # uploads.kind of the proof of an exemption


@dataclass(frozen=True)
class Invoice:
    payload: str
    amount: int
    currency: str


@dataclass(frozen=True)
class Settled:
    """The payment step settled (or a file refused): what to say, and the screen that follows."""

    received: Received | None = None
    screen: Screen | None = None
    exemption: str | None = None  # settled by this exemption; None: by a receipt


@dataclass(frozen=True)
class Paid:
    receipt: Receipt
    new: bool
    screen: Screen | None = None  # the wizard moves on (the person was at the payment step or the summary)
    saved_elsewhere: bool = False  # settled in a draft the person is not looking at


def _settle(draft: Draft, *, receipt: int | None = None, exemption: str | None = None,
            proof: int | None = None) -> Draft:
    """One way of settling replaces any other: a receipt, or an exemption (with its proof where needed)."""
    return draft.model_copy(
        update={"payment_receipt_id": receipt, "payment_exemption": exemption, "payment_proof_upload_id": proof}
    )


def profile_of(payload: str) -> int | None:
    parts = payload.split(":")
    if len(parts) != 3 or parts[0] != PAYLOAD_PREFIX or not parts[1].isdigit():
        return None
    return int(parts[1])


def _not_a_payment_file(earlier: Upload) -> bool:
    # a receipt sent again as a proof (or the reverse) is fine; a passport scan as a receipt is not
    return earlier.kind not in {RECEIPT_KIND, PROOF_KIND}


class PaymentService:
    def __init__(self, payments: PaymentRepository, uploads: UploadService, wizard: WizardService, policy: Policy,
                 *, provider_token: str | None) -> None:
        self.payments, self.uploads, self.wizard, self.policy = payments, uploads, wizard, policy
        self.provider_token = provider_token or None

    async def at_payment(self, owner_id: int, conversation: Conversation) -> Profile | None:
        """The profile whose payment screen was pressed; None for a stale button."""
        profile = await self.wizard.profile(owner_id, conversation)
        return profile if profile is not None and self.policy.requires_payment else None

    async def _paid_in_telegram(self, draft: Draft, owner_id: int) -> bool:
        if draft.payment_receipt_id is None:
            return False
        paid = await self.payments.get(draft.payment_receipt_id, owner_id)
        return paid is not None and paid.paid_in_telegram

    async def open_invoice(self, owner_id: int, profile: Profile) -> Invoice | None:
        """Remember an invoice about to be sent; None when it is already paid in Telegram."""
        if await self._paid_in_telegram(profile.draft, owner_id):
            return None
        pay = self.policy.payment
        payload = f"{PAYLOAD_PREFIX}:{profile.id}:{secrets.token_hex(8)}"
        await self.payments.open_invoice(owner_id=owner_id, profile_id=profile.id, payload=payload,
                                         amount=pay.price_minor_units, currency=pay.currency)
        return Invoice(payload, pay.price_minor_units, pay.currency)

    async def ask_proof(self, conversation: Conversation, exemption: Exemption | None) -> None:
        await conversation.set_state(Apply.payment_proof)
        await conversation.update_data(proof_for=PROOF_EXEMPTION + exemption.value if exemption else PROOF_RECEIPT)

    def offered(self, draft: Draft) -> dict[str, Exemption]:
        return {e.value: e for e in offered_exemptions(self.policy, draft, self.wizard.ctx.today)}

    async def exempt_without_proof(
        self, owner_id: int, conversation: Conversation, profile: Profile, exemption: Exemption
    ) -> Screen:
        """A child under 14: the birth date in the draft is the proof."""
        await self._retire_previous(owner_id, profile.draft)
        draft = _settle(profile.draft, exemption=exemption.value)
        return await self.wizard.advance(owner_id, conversation, profile, STEP_BY_KEY["payment"], draft)

    async def leave_proof(self, owner_id: int, conversation: Conversation, back: bool) -> Screen | bool | None:
        """Back to the payment screen (a Screen) or the wizard cancelled (None); False: stale."""
        profile = await self.wizard.profile(owner_id, conversation)
        if profile is None:
            return False
        await conversation.update_data(proof_for=None)
        if not back:
            await conversation.set_state(None)
            return None
        return await self.wizard.show(owner_id, conversation, STEP_BY_KEY["payment"], profile.draft)

    async def proof_expected(self, conversation: Conversation) -> str | None:
        """What a file sent now is for, while a receipt or a proof is being asked for (and a price is set)."""
        proof_for = (await conversation.get_data()).get("proof_for")
        if not isinstance(proof_for, str) or not proof_for or not self.policy.requires_payment:
            return None
        return proof_for

    async def proof_allowed(self, owner_id: int, conversation: Conversation, proof_for: str) -> bool | None:
        """Whether a file for `proof_for` is taken now: None without a draft, False for an exemption that
        no longer applies (the person is told the button is stale)."""
        profile = await self.wizard.profile(owner_id, conversation)
        if profile is None:
            return None
        exemption = proof_for.removeprefix(PROOF_EXEMPTION) if proof_for.startswith(PROOF_EXEMPTION) else None
        return exemption is None or exemption in self.offered(profile.draft)

    async def receive_proof(
        self, owner_id: int, conversation: Conversation, proof_for: str, data: bytes, sent: TelegramFile
    ) -> Settled | None:
        """A receipt or a proof: stored and checked, it settles the payment step; None when stale."""
        profile = await self.wizard.profile(owner_id, conversation)
        if profile is None:
            return None
        exemption = proof_for.removeprefix(PROOF_EXEMPTION) if proof_for.startswith(PROOF_EXEMPTION) else None
        if exemption is not None and exemption not in self.offered(profile.draft):
            return None
        received = await self.uploads.scan(
            owner_id, profile.id, PROOF_KIND if exemption else RECEIPT_KIND, data, sent,
            refuse_duplicate=_not_a_payment_file,
        )
        if received.upload is None:
            return Settled(received)
        await self._retire_previous(owner_id, profile.draft)
        if exemption is not None:
            draft = _settle(profile.draft, exemption=exemption, proof=received.upload.id)
        else:
            pay = self.policy.payment
            receipt = await self.payments.record_manual(
                owner_id=owner_id, profile_id=profile.id, upload_id=received.upload.id,
                amount=pay.price_minor_units, currency=pay.currency,
            )
            draft = _settle(profile.draft, receipt=receipt.id)
        await conversation.update_data(proof_for=None)
        screen = await self.wizard.advance(owner_id, conversation, profile, STEP_BY_KEY["payment"], draft)
        return Settled(received, screen, exemption)

    async def _retire_previous(self, owner_id: int, draft: Draft) -> None:
        """Files of a way of paying that is being replaced are no longer part of the application."""
        if draft.payment_proof_upload_id is not None:
            await self.uploads.remove(owner_id, draft.payment_proof_upload_id)
        if draft.payment_receipt_id is not None:
            old = await self.payments.get(draft.payment_receipt_id, owner_id)
            if old is not None and old.upload_id is not None:
                await self.uploads.remove(owner_id, old.upload_id)

    # --- Telegram's side of an invoice ------------------------------------------------------------------------

    async def checkout_problem(self, owner_id: int, payload: str, currency: str, total: int) -> str | None:
        """Why this payment must not go through (a Fluent key), or None when it may."""
        pay = self.policy.payment
        if not self.policy.requires_payment:
            return "pay-error-not-needed"
        profile_id = profile_of(payload)
        invoice = await self.payments.by_payload(payload)
        if invoice is None or invoice.owner_id != owner_id or invoice.profile_id != profile_id or not invoice.pending:
            return "pay-error-unknown-invoice"
        if currency != pay.currency or total != pay.price_minor_units:
            return "pay-error-amount"
        if invoice.currency != currency or invoice.amount != total:
            return "pay-error-amount"
        profile = await self.wizard.profiles.get(profile_id, owner_id) if profile_id is not None else None
        if profile is None:
            return "pay-error-unknown-invoice"
        if await self._paid_in_telegram(profile.draft, owner_id):
            return "pay-error-already-paid"
        return None

    async def paid(self, owner_id: int, conversation: Conversation, **charge: Any) -> Paid:
        """Telegram took the money: store the receipt once and settle the draft, in whatever state."""
        payload = str(charge["payload"])
        profile_id = profile_of(payload)
        profile = await self.wizard.profiles.get(profile_id, owner_id) if profile_id is not None else None
        receipt, new = await self.payments.record_telegram(
            owner_id=owner_id, profile_id=profile.id if profile else None, **charge
        )
        if profile is None or (not new and profile.draft.payment_receipt_id == receipt.id):
            return Paid(receipt, new)  # no draft to settle, or the same payment delivered again
        await self._retire_previous(owner_id, profile.draft)
        draft = _settle(profile.draft, receipt=receipt.id)
        current = await conversation.get_state()
        same_profile = (await conversation.get_data()).get("profile_id") == profile.id
        if same_profile and current in {Apply.payment.state, Apply.payment_proof.state}:
            await conversation.update_data(proof_for=None)
            screen = await self.wizard.advance(owner_id, conversation, profile, STEP_BY_KEY["payment"], draft)
            return Paid(receipt, True, screen)
        await self.wizard.save(profile, draft, profile.step)
        if same_profile and current == Apply.summary.state:  # the summary no longer lists it as missing
            return Paid(receipt, True, await self.wizard.summary(owner_id, conversation, draft))
        return Paid(receipt, True, saved_elsewhere=True)
