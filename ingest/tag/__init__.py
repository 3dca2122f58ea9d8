"""Pure taggers (relevance, models, themes, sentiment, keywords, spam) and their lexicons as data files."""
