"""Answer: the chain from a (follow-up) question to a cited answer or an abstention.

condense.py (follow-ups) -> question.py (what is asked) -> retrieval (retrieve/) ->
extractive.py (default answerer) or llm.py (optional generator) -> guard.py (numbers) ;
chain.py wires them as a langchain runnable.
"""
