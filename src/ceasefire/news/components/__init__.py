"""The built-in components of the news pipeline; importing this package registers them."""

import ceasefire.news.components.actors
import ceasefire.news.components.casualties
import ceasefire.news.components.coder
import ceasefire.news.components.events
import ceasefire.news.components.parse
import ceasefire.news.components.phoenix
import ceasefire.news.components.places
import ceasefire.news.components.quotes
import ceasefire.news.components.quotes2
import ceasefire.news.components.times  # noqa: F401
