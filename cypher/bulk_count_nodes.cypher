// How many nodes a database holds (from the count store): a bulk load refuses a database that has any.
MATCH (n)
RETURN count(n) AS nodes
