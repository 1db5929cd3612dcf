"""MQTT device protocol: topics, the JSON payloads devices publish and their schemas, broker addresses."""
