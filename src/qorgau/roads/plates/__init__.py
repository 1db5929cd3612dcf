"""Reading number plates: Kazakhstan's plate grammar, the OCR of a vehicle's plate, the vote over a track."""
