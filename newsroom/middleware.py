class ArabicFirstMiddleware:
    """Arabic unless the reader chose English with the language switcher.

    The browser's Accept-Language is ignored: many Arabic readers use an English system, and
    the archive is Arabic first. The switcher's choice is kept in the language cookie, which
    LocaleMiddleware (next in the chain) reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
