"""Leaving Wix: import its blog posts and contacts exports, one command each.

`flask wix import-posts` turns the Blog Posts CSV into Markdown files in `site/posts/`;
`flask wix import-contacts` records the contacts and their newsletter status. Old Wix
addresses keep working through `leadsite.redirects`.
"""
