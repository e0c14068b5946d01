// How many actors a whole-graph pull pages through (from the count store, no scan).
RETURN COUNT { (n:Entity) } AS nodes
