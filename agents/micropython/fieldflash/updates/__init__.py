# One module per release kind: firmware.py writes app images into the ESP32's OTA partitions; source_tree.py takes
# the application's .py files (a payload staged in a new folder and swapped in at the next boot: tree_*.py).
