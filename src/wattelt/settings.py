"""Settings for wattelt.

Every setting that differs between machines comes from the environment through
`setting()`, which documents it and fails loudly on a bad value. `SETTINGS_DOC` lists
them at run time; `docs/settings.md` is generated from these calls (`python -m
tools.settings_doc`, checked by `make lint`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dj_database_url
import django.conf.locale
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

SETTINGS_DOC: dict[str, str] = {}


def _parse_bool(raw: str) -> bool:
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def setting(name: str, default: Any, doc: str, parse: Callable[[str], Any] = str) -> Any:
    """Read one setting from the environment; refuse to start on a bad value."""
    SETTINGS_DOC[name] = doc
    raw = os.environ.get(name)
    secret_file = os.environ.get(f"{name}_FILE")
    if raw is None and secret_file:  # a secret mounted as a file (Docker/systemd credentials)
        try:
            raw = Path(secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={secret_file!r}: {exc.strerror}") from exc
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not valid: {exc}") from exc


def _parse_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


DEBUG = setting(
    "WATTELT_DEBUG", False, "Show Django debug pages. Never in production.", _parse_bool
)
SECRET_KEY = setting(
    "WATTELT_SECRET_KEY",
    "dev-only-insecure-key-change-me" if DEBUG else None,
    "Secret key for signing sessions and tokens. Required unless WATTELT_DEBUG is on.",
)
if not SECRET_KEY:
    raise ImproperlyConfigured("WATTELT_SECRET_KEY is required when WATTELT_DEBUG is off.")
ALLOWED_HOSTS = setting(
    "WATTELT_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"],
    "Comma-separated host names this server answers to.",
    _parse_list,
)


def _parse_database_url(raw: str) -> dj_database_url.DBConfig:
    """dj-database-url, plus libpq's multi-host form for failover:
    postgres://user@host1:5432,host2:5432/db?target_session_attrs=read-write
    (HOST and PORT become libpq's comma-separated lists; the query goes to OPTIONS)."""
    scheme, sep, rest = raw.partition("://")
    userinfo, at, hostpart = rest.rpartition("@")
    netloc, slash, tail = hostpart.partition("/")
    if not sep or "," not in netloc:
        return dj_database_url.parse(raw, conn_max_age=60)
    hosts = [item.rpartition(":") if ":" in item else (item, "", "") for item in netloc.split(",")]
    config = dj_database_url.parse(
        f"{scheme}://{userinfo}{at}{hosts[0][0]}{slash}{tail}", conn_max_age=60
    )
    config["HOST"] = ",".join(host for host, _, _ in hosts)
    config["PORT"] = ",".join(port or "5432" for _, _, port in hosts)
    return config


DATABASES = {
    "default": setting(
        "DATABASE_URL",
        dj_database_url.parse(f"sqlite:///{PROJECT_DIR / 'var' / 'wattelt.sqlite3'}"),
        "Database URL; SQLite in var/ by default, postgres://user:pass@host/db in production. "
        "For failover list every server: postgres://user@db1:5432,db2:5432/wattelt"
        "?target_session_attrs=read-write (libpq connects to the one that takes writes).",
        _parse_database_url,
    )
}
# A streaming replica (docs/operations.md): the monitoring figures and exports read from
# it, everything else from the primary (wattelt/replica.py).
_replica = setting(
    "DATABASE_REPLICA_URL",
    None,
    "Database URL of a streaming replica of DATABASE_URL (PostgreSQL only). When set, the "
    "dashboard, the published figures and the exports read from it. Unset: all on DATABASE_URL.",
    _parse_database_url,
)
if _replica:
    # Tests run against the primary's test database; tests/replica points it elsewhere.
    DATABASES["replica"] = {**_replica, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["wattelt.replica.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = setting(
    "DATABASE_REPLICA_PIN_SECONDS",
    10,
    "Seconds after a write during which that browser reads only from the primary "
    "(read-your-own-writes; longer than the replica's worst normal lag).",
    int,
)
# On SQLite (`make run`) two requests that write at once queue instead of one failing:
# a transaction that reads and then writes fails at once ("database is locked") when
# another began writing in between, and every read of resident data writes its access
# log. IMMEDIATE takes the write lock at the start, so a second writer waits (up to
# `timeout` seconds); WAL lets readers go on meanwhile. synchronous=NORMAL is safe with
# WAL, though a power cut may lose the last commits. Options in DATABASE_URL win.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["OPTIONS"] = {**_SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
    # A kept connection is tested before a request uses it: after a database restart the
    # first request on each app server gets a fresh connection instead of an error.
    _database["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the widget templates, for the form renderer below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "wattelt.organisations",
    "wattelt.residents",
    "wattelt.instrument",
    "wattelt.audit",
    "wattelt.monitoring",
    "wattelt.implementation",
    "wattelt.privacy",
    "wattelt.screening",
    "wattelt.feedback",
    "wattelt.implementation_plan",
    "wattelt.guide",
    "wattelt.operations",  # deploy, backup and restore commands
    "wattelt.notifications",
    "wattelt.imports",
    "rest_framework",
    "drf_spectacular",
    "oauth2_provider",
    "wattelt.api",
    "wattelt.portal",  # Mijn Wat telt: the resident's own door
    "wattelt.demo",  # demo data and seed_demo; uses every app, none uses it
]

MIDDLEWARE = [
    # First: the load balancer's probes need no host check, HTTPS redirect or session.
    "wattelt.health.HealthChecks",
    # One JSON line per request (request id, user id, status, duration; no personal data).
    "wattelt.logs.RequestLog",
    # Every response under /api/ gets API-Version, every error problem+json.
    "wattelt.api.middleware.ApiConventions",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Marked views read from the replica; a browser that just wrote reads the primary.
    "wattelt.replica.ReplicaRouting",
    "wattelt.web.ChosenLanguage",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wattelt.organisations.two_factor.RequireTwoFactor",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wattelt.organisations.sessions.AbsoluteSessionLimit",
    # A resident's session in Mijn Wat telt (no Django user): who, and 15 minutes idle.
    "wattelt.portal.session.PortalSession",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wattelt.audit.middleware.NoStoreForPersonalData",
    "wattelt.audit.refusals.RecordRefusals",
    "wattelt.audit.headers.SecurityHeaders",
    "wattelt.web.RejectNullCharacters",
    "wattelt.feedback.middleware.TabletMode",
    # Last, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wattelt.urls"
WSGI_APPLICATION = "wattelt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wattelt.navigation.navigation",
            ],
        },
    }
]

# Every form renders through one renderer on NL Design System components (formrenderer.py).
FORM_RENDERER = "wattelt.formrenderer.NLDesignSystemRenderer"

AUTH_USER_MODEL = "organisations.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def _parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("expected a whole number of at least 1")
    return value


# Lockout after failed logins and re-authentications (django-axes; the rules and why
# these numbers: organisations/lockout.py and docs/security.md).
AXES_FAILURE_LIMIT = setting(
    "WATTELT_LOGIN_FAILURE_LIMIT",
    5,
    "Failed logins or re-authentications (wrong password or code) of one account from one "
    "address before that account is locked out at that address.",
    _parse_positive_int,
)
LOGIN_ADDRESS_FAILURE_LIMIT = setting(
    "WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT",
    30,
    "Failed logins from one address, all accounts together (each counted at most "
    "WATTELT_LOGIN_FAILURE_LIMIT times), before the address is locked out for every "
    "account: stops password spraying, yet leaves an office behind one NAT address alone.",
    _parse_positive_int,
)
if LOGIN_ADDRESS_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT must be above WATTELT_LOGIN_FAILURE_LIMIT: "
        "otherwise one person mistyping locks out everyone at their address."
    )
LOGIN_LOCKOUT_MINUTES = setting(
    "WATTELT_LOGIN_LOCKOUT_MINUTES",
    15,
    "How long failures count and a lockout lasts, in minutes.",
    _parse_positive_int,
)
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "wattelt.organisations.lockout.LoginLockoutHandler"
AXES_LOCKOUT_CALLABLE = "wattelt.organisations.lockout.lockout_response"
# The address the access log records too: X-Real-IP from our own proxy when trusted,
# else REMOTE_ADDR. Behind a proxy without WATTELT_TRUST_X_REAL_IP every client would
# share the proxy's address, and the per-address limit would lock out everyone at once.
AXES_CLIENT_IP_CALLABLE = "wattelt.audit.services.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Wat telt"
# The admin never shows authenticator keys or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# Django's database sessions, their one read per request written out (session_store.py).
SESSION_ENGINE = "wattelt.organisations.session_store"
# Idle limit: the cookie lives 30 minutes and is renewed by every request (the stored
# session at most once a minute when its data did not change: session_store.py).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
PORTAL_IDLE_SECONDS = 15 * 60
"""A resident's session in Mijn Wat telt ends after 15 minutes without a request."""
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = setting(
    "WATTELT_SECURE_COOKIES", not DEBUG, "Send cookies over HTTPS only.", _parse_bool
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Local memory per process. "figures": the dashboard's rendered figure tables per published
# cube, filter and language (monitoring/fragments.py): a hit must cost no query, and the key
# names the cube's build, so no other process has to be told when it changes.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
SECURE_HSTS_SECONDS = setting(
    "WATTELT_HSTS_SECONDS",
    0 if DEBUG else 31536000,
    "Strict-Transport-Security max-age; sent on HTTPS responses.",
    int,
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUST_X_REAL_IP = setting(
    "WATTELT_TRUST_X_REAL_IP",
    False,
    "Our TLS proxy sets X-Real-IP: use it as the client address (access log, login lockout).",
    _parse_bool,
)
SECURE_SSL_REDIRECT = setting(
    "WATTELT_SSL_REDIRECT", not DEBUG, "Redirect plain HTTP to HTTPS.", _parse_bool
)
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Staff screens speak LANGUAGES (Dutch, English); the resident's screens also speak the
# languages of residents.language.RESIDENT_LANGUAGES. Django knows no Tigrinya: add it.
EXTRA_LANG_INFO = {
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = setting(
    "WATTELT_STATIC_ROOT",
    PROJECT_DIR / "var" / "static",
    "Where collectstatic writes the static files (hashed names, gzip and brotli copies).",
    Path,
)
# nlds/nlds.css: the NL Design System CSS the templates use, built by `make install`
# (bin/build-css.mjs) from the npm packages.
STATICFILES_DIRS = [BASE_DIR / "static", ("nlds", PROJECT_DIR / "var" / "css")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Without debug: hashed names (cached for a year, immutable) and gzip/brotli copies,
    # made by collectstatic.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Served at the site's root: /favicon.ico for clients that ask there.
WHITENOISE_ROOT = BASE_DIR / "public"
WHITENOISE_USE_FINDERS = True
# The static root only exists after collectstatic (production); finders serve until then.
WHITENOISE_AUTOREFRESH = DEBUG


_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


def _parse_log_level(raw: str) -> str:
    """A level name in any case (logging itself accepts only upper case)."""
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(sorted(_LOG_LEVELS))}")
    return level


def _parse_log_format(raw: str) -> str:
    if raw not in {"json", "text"}:
        raise ValueError("expected json or text")
    return raw


LOG_FORMAT = setting(
    "WATTELT_LOG_FORMAT",
    "text" if DEBUG else "json",
    "json: one JSON object per line on stdout, without personal data (logs.py); text: "
    "plain lines for a developer's terminal.",
    _parse_log_format,
)
LOG_LEVEL = setting(
    "WATTELT_LOG_LEVEL",
    "INFO",
    "Log level: DEBUG, INFO, WARNING, ERROR or CRITICAL (any case).",
    _parse_log_level,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "wattelt.logs.JsonLines"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint and fontTools narrate every PDF at INFO level.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes")},
}

# --- Login through the organisation's OpenID Connect provider (mozilla-django-oidc) ---
# Off unless WATTELT_OIDC_PROVIDER_URL is set. Staff of one organisation then log in at
# their own provider; accounts are still created by an administrator (matched by e-mail),
# and a login the provider reports as multi-factor counts as our second factor.
_OIDC_ALGORITHMS = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256"}


def _parse_sign_algo(raw: str) -> str:
    if raw not in _OIDC_ALGORITHMS:
        raise ValueError(f"expected one of {', '.join(sorted(_OIDC_ALGORITHMS))}")
    return raw


OIDC_PROVIDER_URL = setting(
    "WATTELT_OIDC_PROVIDER_URL",
    "",
    "Issuer URL of the organisation's OpenID Connect provider; empty turns OIDC login off. "
    "Endpoints default to /authorize, /token, /userinfo and /jwks below it.",
).rstrip("/")
OIDC_LOGIN_ENABLED = bool(OIDC_PROVIDER_URL)
OIDC_RP_CLIENT_ID = setting("WATTELT_OIDC_CLIENT_ID", "", "OIDC client id of Wat telt.")
OIDC_RP_CLIENT_SECRET = setting("WATTELT_OIDC_CLIENT_SECRET", "", "OIDC client secret.")
OIDC_RP_SIGN_ALGO = setting(
    "WATTELT_OIDC_SIGN_ALGO",
    "RS256",
    "Signature algorithm of the provider's id tokens: RS256 (keys from the JWKS endpoint) "
    "or HS256 (signed with the client secret).",
    _parse_sign_algo,
)
OIDC_STAFF_ORGANISATION = setting(
    "WATTELT_OIDC_ORGANISATION",
    "",
    "Name of the organisation whose staff log in through the OIDC provider.",
)
OIDC_MFA_VALUES = setting(
    "WATTELT_OIDC_MFA_CLAIM_VALUES",
    ["mfa", "otp", "hwk"],
    "Comma-separated amr/acr values that mean the provider checked more than a password; "
    "such a login needs no second code in Wat telt.",
    _parse_list,
)
_oidc_endpoints = {
    name: setting(
        f"WATTELT_OIDC_{name.upper()}_ENDPOINT",
        f"{OIDC_PROVIDER_URL}/{default}",
        f"OIDC {name} endpoint, when not at the default place under the provider URL.",
    )
    for name, default in [
        ("authorization", "authorize"),
        ("token", "token"),
        ("userinfo", "userinfo"),
        ("jwks", "jwks"),
    ]
}
if OIDC_LOGIN_ENABLED:
    _missing = [
        name
        for name, value in [
            ("WATTELT_OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("WATTELT_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("WATTELT_OIDC_ORGANISATION", OIDC_STAFF_ORGANISATION),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC login needs {', '.join(_missing)} as well.")
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc_endpoints["authorization"]
    OIDC_OP_TOKEN_ENDPOINT = _oidc_endpoints["token"]
    OIDC_OP_USER_ENDPOINT = _oidc_endpoints["userinfo"]
    OIDC_OP_JWKS_ENDPOINT = _oidc_endpoints["jwks"]
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False  # an administrator creates accounts
    OIDC_TIMEOUT = 10
    # The provider must have authenticated the user in the last 10 minutes: so a login
    # through it can also serve as the re-authentication of sudo mode.
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"max_age": "600"}
    # Axes stays first: it refuses locked-out addresses before any backend runs.
    AUTHENTICATION_BACKENDS.append("wattelt.organisations.oidc.OrganisationOIDCBackend")
    _template_options: Any = TEMPLATES[0]["OPTIONS"]
    _template_options["context_processors"].append("wattelt.organisations.oidc.login_options")

# --- Mijn Wat telt: passkeys and DigiD (issue 12) ---
PORTAL_ORIGIN = setting(
    "WATTELT_PORTAL_ORIGIN",
    "",
    "Origin of Mijn Wat telt as residents' browsers see it (https://wattelt.example.nl); "
    "passkeys are bound to its host name. Empty: the origin of each request (its host is "
    "checked against WATTELT_ALLOWED_HOSTS).",
).rstrip("/")
PORTAL_INVITATION_DAYS = 14
"""An invitation to Mijn Wat telt can be used once, within this many days."""


def _parse_assurance(raw: str) -> str:
    if raw not in ("basis", "midden", "substantieel", "hoog"):
        raise ValueError("expected basis, midden, substantieel or hoog")
    return raw


DIGID_PROVIDER_URL = setting(
    "WATTELT_DIGID_PROVIDER_URL",
    "",
    "Issuer URL of the OpenID Connect broker that connects DigiD for residents; empty turns "
    "DigiD off. Endpoints default to /authorize, /token and /jwks below it.",
).rstrip("/")
DIGID_CLIENT_ID = setting("WATTELT_DIGID_CLIENT_ID", "", "DigiD broker: client id of Wat telt.")
DIGID_CLIENT_SECRET = setting("WATTELT_DIGID_CLIENT_SECRET", "", "DigiD broker: client secret.")
DIGID_ENDPOINTS = {
    name: setting(
        f"WATTELT_DIGID_{name.upper()}_ENDPOINT",
        f"{DIGID_PROVIDER_URL}/{default}",
        f"DigiD broker {name} endpoint, when not at the default place under the provider URL.",
    )
    for name, default in [("authorization", "authorize"), ("token", "token"), ("jwks", "jwks")]
}
DIGID_BSN_CLAIM = setting(
    "WATTELT_DIGID_BSN_CLAIM", "bsn", "Claim of the DigiD broker's id token that holds the BSN."
)
DIGID_ASSURANCE_CLAIM = setting(
    "WATTELT_DIGID_ASSURANCE_CLAIM",
    "acr",
    "Claim that holds the DigiD assurance level (basis, midden, substantieel, hoog, or the "
    "urn:oasis:names:tc:SAML:2.0:ac:classes:... values DigiD uses for them).",
)
DIGID_MINIMUM_ASSURANCE = setting(
    "WATTELT_DIGID_MINIMUM_ASSURANCE",
    "substantieel",
    "Lowest DigiD assurance level that may sign in to Mijn Wat telt (substantieel or hoog "
    "for health and care data).",
    _parse_assurance,
)
DIGID_SCOPES = setting(
    "WATTELT_DIGID_SCOPES", "openid", "Scopes Wat telt asks the DigiD broker for."
)

# --- E-mail (the reminder digest) ---
EMAIL_BACKEND = setting(
    "WATTELT_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
    "Django e-mail backend; the console in development, SMTP otherwise.",
)
EMAIL_HOST = setting("WATTELT_EMAIL_HOST", "localhost", "SMTP server for outgoing mail.")
EMAIL_PORT = setting("WATTELT_EMAIL_PORT", 25, "SMTP port (587 with STARTTLS).", int)
EMAIL_HOST_USER = setting("WATTELT_EMAIL_USER", "", "SMTP user name, if the server asks one.")
EMAIL_HOST_PASSWORD = setting("WATTELT_EMAIL_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = setting(
    "WATTELT_EMAIL_USE_TLS", False, "Use STARTTLS to the SMTP server.", _parse_bool
)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = setting(
    "WATTELT_DEFAULT_FROM_EMAIL", "Wat telt <noreply@localhost>", "Sender of the mail we send."
)
MONITORING_AUDIT_WIDTH = setting(
    "WATTELT_MONITORING_AUDIT_WIDTH",
    5,
    "The interval audit on published figures (docs/adr/0012): hide more cells until the "
    "range a reader can work out for a hidden cell behind 1-9 residents spans at least this "
    "much (max - min; 5: no guess within ±2 is certain), also over the previous publish; 0 "
    "turns the audit off (the sums-only suppression of ADR 0004).",
    int,
)
MONITORING_WARM_DASHBOARD = setting(
    "WATTELT_MONITORING_WARM_DASHBOARD",
    True,
    "The publish run renders the dashboard's whole-scope figures (each year and quarter, all "
    "ages, every staff language) of each cube it builds and stores them with the cube, so "
    "the first view after a publish needs no rendering (monitoring/fragments.py); off: "
    "the first view renders them.",
    _parse_bool,
)
MONITORING_WARM_AREAS = setting(
    "WATTELT_MONITORING_WARM_AREAS",
    True,
    "With WATTELT_MONITORING_WARM_DASHBOARD: the publish run also renders each district's and "
    "each team's figures of the year (all ages, the default language) of each cube it builds, "
    "so the first view of a district or team after a publish needs no rendering either.",
    _parse_bool,
)
IMPORT_EXCLUSIVE_ROWS = setting(
    "WATTELT_IMPORT_EXCLUSIVE_ROWS",
    0,
    "PostgreSQL: an import with at least this many start measurements loads as into an empty "
    "database (docs/import-format.md): it drops the measurement, trajectory and summary "
    "tables' foreign keys, unique constraints and secondary indexes and builds them again "
    "before its commit, so the board and every sign-in wait until it is done. 0: never "
    "(each row's foreign keys are checked at commit, about 20 checks per row).",
    int,
)
SITE_URL = setting(
    "WATTELT_SITE_URL",
    "http://127.0.0.1:8000" if DEBUG else "",
    "Public address of Wat telt (https://...), for links in mail; the digest refuses to "
    "run without it.",
)

# --- Backups and the erasure register (docs/operations.md) ---
BACKUP_DIR = setting(
    "WATTELT_BACKUP_DIR",
    PROJECT_DIR / "var" / "backups",
    "Where backup_database writes its dumps (and their manifests); mount it from storage "
    "that is not the database server's own disk.",
    Path,
)
BACKUP_RETENTION_DAYS = setting(
    "WATTELT_BACKUP_RETENTION_DAYS",
    35,
    "Backups older than this many days are deleted by backup_database: erased residents "
    "leave the backups within this time (the reasoning: docs/operations.md).",
    _parse_positive_int,
)
ERASURE_REGISTER_FILE = setting(
    "WATTELT_ERASURE_REGISTER_FILE",
    BACKUP_DIR / "erasure-register.jsonl",
    "The copy of the erasure register outside the database (one JSON line per erasure: "
    "resident id, when, reference, source; no personal data). A restore re-applies the "
    "erasures it lists that the restored backup does not know. Keep it with the backups.",
    Path,
)
# --- The API (/api/v1/, docs/api.md) ------------------------------------------------------
API_VERSION = "1.0.0"
"""The full version of the API, in the API-Version header and the OpenAPI document."""
API_TOKEN_SECONDS = setting(
    "WATTELT_API_TOKEN_SECONDS",
    600,
    "Lifetime of an API access token (OAuth 2.0 client credentials), in seconds.",
    int,
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["wattelt.api.authentication.ClientCredentials"],
    "DEFAULT_PERMISSION_CLASSES": ["wattelt.api.scopes.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "wattelt.api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "wattelt.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "wattelt.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wat telt API",
    "DESCRIPTION": (
        "Read and record Wat telt measurements and fetch monitoring figures. "
        "Authentication: OAuth 2.0 client credentials (token at /oauth/token). See docs/api.md."
    ),
    "VERSION": API_VERSION,
    "CONTACT": {"name": "Wat telt", "email": "api@wattelt.nl", "url": "https://wattelt.nl"},
    "LICENSE": {"name": "EUPL-1.2"},
    "SERVERS": [{"url": "https://wattelt.nl/api/v1", "description": "Wat telt"}],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"SoortEnum": "wattelt.instrument.models.Measurement.Kind"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "wattelt.api.schema.nl_api_conventions",
    ],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "measurements:read": "Read residents, trajectories, measurements, goals and consents",
        "measurements:write": "Record confirmed measurements",
        "figures:read": "Read the published monitoring figures",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_SECONDS,
    "SCOPES_BACKEND_CLASS": "wattelt.api.oauth.RegisteredScopes",
}
