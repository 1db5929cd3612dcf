"""SIA DC-09 codec (framing, CRC, AES, SIA DC-03 and Contact ID payloads, responses), transmitter and load generator."""
