# One module per release kind. firmware.py writes app images into the ESP32's OTA partitions; a source-tree kind
# (a tree of .py files staged in a new directory and swapped in) would sit beside it with the same duties:
# capacity, a writer, a digest, install (make it boot next), confirm and roll back.
