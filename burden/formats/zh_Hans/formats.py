"""Numbers in Chinese as statistical tables and official reports print them: 1,234,567.8.

Django's zh_Hans formats group by four with no separator, so ``intcomma`` and
``floatformat:"g"`` printed 1234567 in Chinese while English had 1,234,567. Only the
grouping changes; dates and everything else stay Django's.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
