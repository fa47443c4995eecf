"""Leads beyond names: what a listing's text says (mentions of a mark, the pitch it sells, the contacts it
gives), the brand owner's official contacts, and the networks that link imitators.

    contacts   phone numbers, WeChat and QQ ids, e-mail, URLs (and QR payloads in images), normalised
    pitches    the versioned lexicon of black-and-gray-market pitches, by category, and its keyword variants
    scan       one text in, its marks, pitch, contacts, fake-contact verdict and hits out (pure)
    network    the graph over listings and the attributes they share (pure)
"""
