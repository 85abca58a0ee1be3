"""The currencies our payment processor (Stripe) can charge in, i.e. present to a customer.

From Stripe's "Supported currencies" page (docs.stripe.com/currencies, presentment
currencies for card payments), without the codes ISO 4217 has retired since (HRK, SLL,
STD, VEF, …). Currencies under sanctions or exchange controls (e.g. IRR, KPW, CUP, SYP,
VES) are not on it. Revisit when Stripe changes the list.
"""

STRIPE_CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP
    GEL GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR ISK JMD JOD JPY KES KGS KHR KMF
    KRW KWD KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MNT MOP MUR MVR MWK MXN MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SEK SGD SHP SLE SOS SRD SZL THB TJS TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS
    VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    """.split()  # noqa: SIM905 - a table reads better than 136 quoted codes
)


def is_billable(currency: str) -> bool:
    return currency in STRIPE_CURRENCIES
