"""Roads: number plates read at the city entries, watch lists, speed and red-light violations reviewed by an officer."""
