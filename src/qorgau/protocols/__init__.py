"""Wire protocols that the server and its clients (simulator, load generator) share; nothing of the server here."""
