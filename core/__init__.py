"""What every layer shares and that depends on nothing else of the project: the settings
(core.settings) and the vocabularies (core.vocabulary). db/, coalition/, ui/ and pages/ may
all import it; it imports none of them."""
