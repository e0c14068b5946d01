// All parks of a city and what they host
// The parks 徐州 hosts (high-tech zones, science cities, software parks …) and every actor each park hosts in turn.
// Change the city's name to look at another one.
MATCH (city:City {name: '徐州'})-[h:HOSTS]->(park:Park)
OPTIONAL MATCH (park)-[h2:HOSTS]->(actor:Entity)
RETURN city, h, park, h2, actor
