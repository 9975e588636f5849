# Turns the text file IN into a C file OUT defining
#   const char nodelab_default_scenario_yaml[];
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "/* Generated from ${IN}; do not edit. */\n"
  "extern const char nodelab_default_scenario_yaml[];\n"
  "const char nodelab_default_scenario_yaml[] = {${bytes} 0x00};\n")
