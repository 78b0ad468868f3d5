"""The external delivery channels behind one interface.

Each gateway sends one Delivery to its person or raises DeliveryFailed; the
outbox worker decides about retries. In-app needs no gateway: the inbox row is
the delivery, pushed to the person's sockets when it is written.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from core.sms import SmsDeliveryFailed
from notifications.models import Channel, Delivery
from notifications.selectors import preference_for
from notifications.sms_budget import sms_send_counted
from notifications.zalo import ZaloDeliveryFailed, zalo_backend

SMS_MAX_CHARS = 320


class DeliveryFailed(Exception):
    """The channel did not take the message; ``permanent`` skips further retries."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Gateway(Protocol):
    def send(self, delivery: Delivery) -> None: ...


def delivery_key(delivery: Delivery) -> str:
    """The name every try of one outbox row is sent under, for gateways that dedupe.

    The row's id is stable across retries and workers; a worker killed after
    the gateway took a message but before it marked the row sent resends it
    under the same key (notifications/outbox.py).
    """
    return f"xadesk-delivery-{delivery.pk}"


def _link(path: str) -> str:
    base: str = getattr(settings, "SITE_URL", "")
    return f"{base.rstrip('/')}{path}" if path and base else path


class EmailGateway:
    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        address = notification.recipient.email
        if not address:
            raise DeliveryFailed("No email address.", permanent=True)
        text = "\n\n".join(p for p in (notification.body, _link(notification.link)) if p)
        try:
            send_mail(notification.title, text, None, [address])
        except OSError as exc:  # smtplib errors are OSErrors
            raise DeliveryFailed(f"Email not sent: {type(exc).__name__}") from None


def sms_text(title: str, body: str) -> str:
    """Title and body as one text message. Titles end without a stop, so
    joined by a space they ran on into the body ("… đã được tiếp nhận Đã
    được Phòng …", a phone walk): a full stop between them."""
    if title and body and not title.rstrip().endswith((".", "!", "?", ":", "…")):
        return f"{title.rstrip()}. {body}"
    return " ".join(p for p in (title, body) if p)


class SmsGateway:
    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        phone = notification.recipient.phone
        if not phone:
            raise DeliveryFailed("No mobile number.", permanent=True)
        text = sms_text(notification.title, notification.body)
        try:
            sent = sms_send_counted(
                to=phone,
                text=text[:SMS_MAX_CHARS],
                key=delivery_key(delivery),
                province_id=delivery.province_id,
                essential=delivery.essential,
            )
        except SmsDeliveryFailed as exc:
            raise DeliveryFailed(str(exc)) from None
        except ImproperlyConfigured as exc:
            raise DeliveryFailed(f"SMS gateway misconfigured: {exc}") from None
        if not sent:
            # The inbox copy stays; only the paid copy is dropped, for good.
            raise DeliveryFailed("Monthly SMS cap of the province reached.", permanent=True)


class ZaloGateway:
    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        zalo_user_id = preference_for(user_id=notification.recipient_id).zalo_user_id
        if not zalo_user_id:
            raise DeliveryFailed("No Zalo follower id.", permanent=True)
        text = "\n".join(
            p for p in (notification.title, notification.body, _link(notification.link)) if p
        )
        try:
            zalo_backend().send(user_id=zalo_user_id, text=text)
        except ZaloDeliveryFailed as exc:
            raise DeliveryFailed(str(exc)) from None
        except ImproperlyConfigured as exc:
            raise DeliveryFailed(f"Zalo misconfigured: {exc}") from None


def gateway_for(channel: str) -> Gateway:
    gateways: dict[str, Gateway] = {
        Channel.EMAIL: EmailGateway(),
        Channel.SMS: SmsGateway(),
        Channel.ZALO: ZaloGateway(),
    }
    if channel not in gateways:
        raise DeliveryFailed(f"No gateway for {channel!r}.", permanent=True)
    return gateways[channel]
