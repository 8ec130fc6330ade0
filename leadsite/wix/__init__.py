"""Leaving Wix: import its blog posts and contacts exports, one command each.

`flask wix import-posts` stores the Blog Posts CSV as posts and pictures in the
database (`posts` reads, `store` writes); `flask wix import-contacts` records the
contacts and their newsletter status. Old Wix addresses keep working through
`leadsite.redirects`.
"""
