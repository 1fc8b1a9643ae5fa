"""Currencies as exports and plans name them: the ISO 4217 codes, and which code a plan's currency means.

An amount may carry its currency's code (72,000.00 GBP); cscomp must know a code when it sees one, so
that a word beside a number that is not a currency ('100 pcs') is refused rather than dropped, and a
code that is not the plan's is never summed as if it were.
"""

from __future__ import annotations

# ISO 4217's codes in use, plus a few recently withdrawn (HRK, SLL, ZWL) that a year of history can
# still hold. XXX ("no currency") and XTS ("for testing") are left out: neither is a currency to pay in.
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD
NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE
SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED
VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
""".split())

# The symbols a plan may write for its currency that name exactly one code. '$', '¥' and 'kr' are
# left out on purpose: each is several countries' currency, so they name no code.
_SYMBOL_CODES = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₪": "ILS", "₺": "TRY", "₽": "RUB",
                 "zł": "PLN", "R$": "BRL", "Fr.": "CHF"}


# The signs an amount cell may carry, and the one code each means in data: a '$' in an export is a
# US dollar (a Canadian export writes CAD), as the amount parser has always read it.
SIGN_CODES = {"$": "USD", "€": "EUR", "£": "GBP"}


def plan_currency_code(currency: str) -> str | None:
    """The ISO 4217 code a plan's ``currency`` means (USD, usd, € -> EUR), or None when it names none ($)."""
    if currency.upper() in ISO_4217:
        return currency.upper()
    return _SYMBOL_CODES.get(currency)


def reporting_code(currency: str) -> str:
    """The code a plan reports in (USD for 'usd', EUR for '€'); a currency that names no code ('$')
    stands for itself, so rows in it compare equal to it."""
    return plan_currency_code(currency) or currency.strip()
