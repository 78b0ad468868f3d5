from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Admin changes to these rows reach the trail of their province
        # (audit/provinces.py); a ticket says its province by itself.
        from audit.provinces import province_rule_register
        from helpdesk.models import Attachment, CannedResponse, Department, DepartmentMembership

        province_rule_register(Department, lambda d: d.commune.parent_id)
        province_rule_register(DepartmentMembership, lambda m: m.department.commune.parent_id)
        province_rule_register(
            CannedResponse,
            lambda c: c.department.commune.parent_id if c.department_id else None,
        )
        province_rule_register(Attachment, lambda a: a.ticket.province_id)

        # One-time codes, sent by accounts (below the bill), are counted on
        # their province's SMS bill (helpdesk/sms_bill.py).
        from core.sms import sms_sent
        from helpdesk.sms_bill import sms_sent_receive

        sms_sent.connect(sms_sent_receive, dispatch_uid="helpdesk.sms_bill")

        # Department seats end the open sockets that relied on them.
        from helpdesk import rights_changes  # noqa: F401

        self._search_text_connect()

    @staticmethod
    def _search_text_connect() -> None:
        """The queue's search finds a reporter's cases by their name of now."""
        from django.conf import settings
        from django.db.models.signals import post_save, pre_save

        from helpdesk.search_text import name_before_save, reporter_renamed

        user = settings.AUTH_USER_MODEL
        pre_save.connect(name_before_save, sender=user, dispatch_uid="helpdesk.search_text")
        post_save.connect(reporter_renamed, sender=user, dispatch_uid="helpdesk.search_text")
