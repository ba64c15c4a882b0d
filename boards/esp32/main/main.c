/*
 * The board firmware's own code, as any ESP-IDF project adds synack (components/synack): start
 * the stack with an example service written on synack.h (TCP 7000 upper-case echo, UDP 7001).
 * Your own project: the same app_main with your start/poll functions (boards/esp32/README.md).
 */
#include "synack_esp32.h"
#include "example_service.h"

void app_main(void) {
  static const synack_esp32_app app = { example_service_start, example_service_poll };
  synack_esp32_start(&app);
}
