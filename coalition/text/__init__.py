"""Text as people read it and type it: numbers, money, dates and codes in words, and the checks
every typed text passes."""
