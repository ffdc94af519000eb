"""Describe a group of chat messages so a reader knows at a glance what it is.

| module | job |
|---|---|
| ``keywords.py`` | c-TF-IDF keywords, one per case-folded word, no bare numbers or chatters' names |
| ``labels.py`` | a 2-6 word label taken from the group's own messages |
| ``representatives.py`` | the most typical distinct readable messages |
| ``categories.py`` | the chat category (laughter, votes, copypasta, discussion...) |
| ``tallies.py`` | answers of votes/quizzes; bans and timeouts after a group |
| ``group.py`` | all of the above for every group of a clustered messages table |
"""

from twitchtopics.describe.categories import CATEGORIES, CATEGORY_LABELS, categorize_group
from twitchtopics.describe.keywords import class_tfidf, is_bare_number, topic_keywords
from twitchtopics.describe.labels import group_label
from twitchtopics.describe.representatives import (
    is_readable,
    representatives,
    shorten,
    typical_order,
)
from twitchtopics.describe.tallies import (
    answer_tally,
    format_answers,
    is_moderation,
    moderation_after,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "answer_tally",
    "categorize_group",
    "class_tfidf",
    "format_answers",
    "group_label",
    "is_bare_number",
    "is_moderation",
    "is_readable",
    "moderation_after",
    "representatives",
    "shorten",
    "topic_keywords",
    "typical_order",
]
