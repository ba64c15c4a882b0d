/*
 * synack as an ESP-IDF component: the stack on a W5500, in a FreeRTOS task of its own, with your
 * code in that task. Settings (pins, SPI clock, address, services, stack) come from menuconfig
 * ("synack"). From app_main:
 *
 *   static int my_start(void) { return synack_listen(7000, 2) < 0 ? -1 : 0; }
 *   static void my_poll(void) { ... synack_accept / synack_recv / synack_send ... }
 *   void app_main(void) { static const synack_esp32_app app = { my_start, my_poll }; synack_esp32_start(&app); }
 *
 * The socket calls (synack.h) never block and belong in poll, between the stack's steps: one
 * thread, never from an interrupt or another task.
 */
#ifndef SYNACK_ESP32_H
#define SYNACK_ESP32_H
#include "synack.h"

typedef struct {
  /* Once the module runs, and again if it restarts (the DHCP timeout's static fallback starts a
   * fresh one): listen, bind. 0, or a negative SYNACK_E* (logged; the stack serves on). May be NULL. */
  int (*start)(void);
  /* After every step of the stack, in its task. May be NULL. */
  void (*poll)(void);
} synack_esp32_app;

/* Start the synack task (app may be NULL: the built-in services only). 0, or -1 when the task
 * cannot be created (its stack is SYNACK_TASK_STACK_KB). */
int synack_esp32_start(const synack_esp32_app *app);

#endif
