/*
 * synack on the ESP32: bring up SPI and the W5500, start synack.wasm (embedded at build time)
 * under wasm3, then loop: frames in, timers, and sleep until the module's next deadline or the
 * W5500's interrupt line.
 */
#include "board.h"
#include "firmware.h"
#include "hal.h"
#include "w5500.h"
#include "driver/gpio.h"
#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include <stdio.h>
#include <string.h>

/* menuconfig leaves a bool that is off undefined. */
#ifndef CONFIG_SYNACK_SERVICE_ECHO
#define CONFIG_SYNACK_SERVICE_ECHO 0
#endif
#ifndef CONFIG_SYNACK_SERVICE_DISCARD
#define CONFIG_SYNACK_SERVICE_DISCARD 0
#endif
#ifndef CONFIG_SYNACK_SERVICE_CHARGEN
#define CONFIG_SYNACK_SERVICE_CHARGEN 0
#endif
#ifndef CONFIG_SYNACK_SERVICE_CONSOLE
#define CONFIG_SYNACK_SERVICE_CONSOLE 0
#endif
#ifndef CONFIG_SYNACK_SERVICE_HTTP
#define CONFIG_SYNACK_SERVICE_HTTP 0
#endif
#ifndef CONFIG_SYNACK_SERVICE_MDNS
#define CONFIG_SYNACK_SERVICE_MDNS 0
#endif

static const char *TAG = "synack";
extern const uint8_t wasm_start[] asm("_binary_synack_wasm_start");
extern const uint8_t wasm_end[] asm("_binary_synack_wasm_end");
static SemaphoreHandle_t wake;

void fw_log(const char *line) { ESP_LOGI(TAG, "%s", line); }

static void IRAM_ATTR on_int(void *arg) {
  BaseType_t woken = pdFALSE;
  xSemaphoreGiveFromISR(wake, &woken);
  if (woken) portYIELD_FROM_ISR();
}

static uint32_t parse_ip(const char *s) {
  unsigned a, b, c, d;
  return sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) == 4 ? (a << 24 | b << 16 | c << 8 | d) : 0;
}

void app_main(void) {
  fw_config cfg = { 0 };
  if (sscanf(CONFIG_SYNACK_MAC, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &cfg.mac[0], &cfg.mac[1], &cfg.mac[2],
             &cfg.mac[3], &cfg.mac[4], &cfg.mac[5]) != 6) { ESP_LOGE(TAG, "bad MAC in menuconfig"); return; }
#if CONFIG_SYNACK_DHCP
  cfg.ip = 0; /* the module's DHCP client asks for one */
#else
  cfg.ip = parse_ip(CONFIG_SYNACK_IP);
#endif
  cfg.prefix_len = CONFIG_SYNACK_PREFIX;
  cfg.gateway = parse_ip(CONFIG_SYNACK_GATEWAY);
  cfg.memory_limit = CONFIG_SYNACK_MEMORY_LIMIT_KB * 1024;
  cfg.stack_bytes = 8 * 1024;
  cfg.checksum_in_c = 1;
  cfg.services_set = 1; /* menuconfig: synack -> built-in services */
  cfg.services = (CONFIG_SYNACK_SERVICE_ECHO ? 1 : 0) | (CONFIG_SYNACK_SERVICE_DISCARD ? 2 : 0) |
                 (CONFIG_SYNACK_SERVICE_CHARGEN ? 4 : 0) | (CONFIG_SYNACK_SERVICE_CONSOLE ? 8 : 0) |
                 (CONFIG_SYNACK_SERVICE_HTTP ? 16 : 0) | (CONFIG_SYNACK_SERVICE_MDNS ? 32 : 0);
  cfg.verbose = 1;

#if CONFIG_SYNACK_PIN_RST >= 0
  gpio_set_direction(CONFIG_SYNACK_PIN_RST, GPIO_MODE_OUTPUT);
  gpio_set_level(CONFIG_SYNACK_PIN_RST, 0);
  vTaskDelay(pdMS_TO_TICKS(2));
  gpio_set_level(CONFIG_SYNACK_PIN_RST, 1);
  vTaskDelay(pdMS_TO_TICKS(60));
#endif
  if (board_spi_init() != 0) { ESP_LOGE(TAG, "SPI bus setup failed"); return; }
  if (w5500_init(cfg.mac) != 0) { ESP_LOGE(TAG, "no W5500 answers on SPI (VERSIONR != 0x04): check the wiring"); return; }
  ESP_LOGI(TAG, "W5500 found, link %s", w5500_link_up() ? "up" : "down");

  wake = xSemaphoreCreateBinary();
#if CONFIG_SYNACK_PIN_INT >= 0
  gpio_config_t io = { .pin_bit_mask = 1ULL << CONFIG_SYNACK_PIN_INT, .mode = GPIO_MODE_INPUT,
                       .pull_up_en = GPIO_PULLUP_ENABLE, .intr_type = GPIO_INTR_NEGEDGE };
  gpio_config(&io);
  gpio_install_isr_service(0);
  gpio_isr_handler_add(CONFIG_SYNACK_PIN_INT, on_int, NULL);
#endif

  if (fw_start(wasm_start, (size_t)(wasm_end - wasm_start), &cfg) != 0) return;
  ESP_LOGI(TAG, "started (module %u bytes, linear memory %u bytes, free heap %u)%s",
           (unsigned)(wasm_end - wasm_start), (unsigned)fw_memory_size(), (unsigned)esp_get_free_heap_size(),
           cfg.ip ? "" : "; asking DHCP for an address");

  uint32_t link_check = hal_millis();
  for (;;) {
    uint32_t next = fw_step();
    if ((int32_t)(hal_millis() - link_check) >= 500) {
      int before = (int)w5500_count.link_changes;
      int up = w5500_link_up();
      if ((int)w5500_count.link_changes != before) ESP_LOGI(TAG, "link %s", up ? "up" : "down");
      link_check = hal_millis();
    }
    w5500_rx_pending(); /* clears Sn_IR.RECV so INTn can fall again */
    xSemaphoreTake(wake, pdMS_TO_TICKS(next > 500 ? 500 : next));
  }
}
