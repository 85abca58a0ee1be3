from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from apps.core.emails import email_send


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails go out through our queue, in the schema of the host that sent them."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html_body = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        email_send(
            to=list(message.to),
            subject=message.subject,
            body=message.body,
            html_body=html_body,
            from_email=message.from_email,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Social login providers as the platform's settings configure them."""
