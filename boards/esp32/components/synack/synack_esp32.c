/*
 * synack on the ESP32 (synack_esp32.h): bring up SPI and the W5500, start synack.wasm (embedded at
 * build time) under wasm3 in a task of its own, then loop: frames in, timers, the application's
 * poll, and sleep until the module's next deadline or the W5500's interrupt line. The address
 * comes by DHCP, with a static fallback, and is printed on the monitor with the version and name.
 */
#include "synack_esp32.h"
#include "board.h"
#include "firmware.h"
#include "hal.h"
#include "prepared.h"
#include "w5500.h"
#include "wasm3_heap.h"
#include "driver/gpio.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_mac.h"
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
#ifndef CONFIG_SYNACK_CODE_STORE
#define CONFIG_SYNACK_CODE_STORE 0
#endif

static const char *TAG = "synack";
extern const uint8_t wasm_start[] asm("_binary_synack_wasm_start");
extern const uint8_t wasm_end[] asm("_binary_synack_wasm_end");
static SemaphoreHandle_t wake;
static synack_esp32_app app;

#define STACK_BYTES (CONFIG_SYNACK_TASK_STACK_KB * 1024)
#ifdef CONFIG_SYNACK_DHCP
#define USE_DHCP 1
#else
#define USE_DHCP 0
#endif

void fw_log(const char *line) { ESP_LOGI(TAG, "%s", line); }

static void IRAM_ATTR on_int(void *arg) {
  BaseType_t woken = pdFALSE;
  xSemaphoreGiveFromISR(wake, &woken);
  if (woken) portYIELD_FROM_ISR();
}

static uint32_t parse_ip(const char *s) {
  unsigned a, b, c, d;
  if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 || c > 255 || d > 255) return 0;
  return a << 24 | b << 16 | c << 8 | d;
}

static int board_mac(uint8_t mac[6]) {
  if (CONFIG_SYNACK_MAC[0]) { /* menuconfig overrides the chip's */
    if (sscanf(CONFIG_SYNACK_MAC, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6 ||
        (mac[0] & 1)) {
      ESP_LOGE(TAG, "bad MAC in menuconfig: %s", CONFIG_SYNACK_MAC);
      return -1;
    }
    return 0;
  }
  esp_err_t err = esp_read_mac(mac, ESP_MAC_ETH); /* this chip's own, from eFuse: unique on the LAN */
  if (err != ESP_OK) { ESP_LOGE(TAG, "esp_read_mac: %s", esp_err_to_name(err)); return -1; }
  return 0;
}

static void reset_w5500(void) {
#if CONFIG_SYNACK_PIN_RST >= 0
  gpio_reset_pin(CONFIG_SYNACK_PIN_RST); /* GPIO14 is a JTAG pin until reset to a plain GPIO */
  gpio_set_direction(CONFIG_SYNACK_PIN_RST, GPIO_MODE_OUTPUT);
  gpio_set_level(CONFIG_SYNACK_PIN_RST, 0);
  vTaskDelay(pdMS_TO_TICKS(2)); /* RSTn low at least 500 us */
  gpio_set_level(CONFIG_SYNACK_PIN_RST, 1);
  vTaskDelay(pdMS_TO_TICKS(10)); /* PLL lock takes up to 1 ms; the driver then polls VERSIONR */
#endif
}

static void log_stack(const char *when) {
  unsigned unused = (unsigned)uxTaskGetStackHighWaterMark(NULL); /* bytes on ESP-IDF */
  ESP_LOGI(TAG, "task stack: %u of %u bytes used at most (%s)", STACK_BYTES - unused, STACK_BYTES, when);
}

/*
 * wasm3 allocates the module's linear memory as one block, a 64 KiB page (or the cap) at load,
 * then the firmware trims it to what the layout needs: refuse to start without that block.
 */
static int enough_memory(const fw_config *cfg) {
  size_t largest = heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
  size_t need = cfg->memory_limit && cfg->memory_limit < 64 * 1024 ? cfg->memory_limit : 64 * 1024;
  if (largest >= need) return 1;
  ESP_LOGE(TAG, "not enough memory: the module's linear memory needs one %u-byte block, the largest free is %u (%u free in all)",
           (unsigned)need, (unsigned)largest, (unsigned)heap_caps_get_free_size(MALLOC_CAP_8BIT));
  return 0;
}

/* What the start did with the code store and wasm3's region (wasm3_heap.h): a store prepared at
 * every start, or a region that overflows, shows here. */
static void log_store(uint32_t ms) {
  const prepared_stats *p = prepared_figures();
  wasm3_heap_figures h = wasm3_heap_report();
  if (p->prepared)
    ESP_LOGI(TAG, "code store prepared in %u ms: %u bytes written to flash (the next start installs it, unless the firmware changed)",
             (unsigned)ms, (unsigned)p->code_bytes);
  ESP_LOGI(TAG, "wasm3's region: %u of %u bytes used at most%s", (unsigned)h.peak, (unsigned)h.size,
           h.spilled ? ", some blocks did not fit (raise SYNACK_WASM3_HEAP_KB)" : "");
}

/* The module, then the application's start (again after a restart: a new runtime listens anew). */
static int start(const fw_config *cfg) {
  if (!enough_memory(cfg)) return -1;
  wasm3_heap_reset(); /* any earlier runtime is freed: this one's records land where its were */
  uint32_t t = hal_millis();
  if (fw_start(wasm_start, (size_t)(wasm_end - wasm_start), cfg) != 0) return -1;
  log_store(hal_millis() - t);
  synack_set_engine("ESP32 + W5500 (wasm3)"); /* named on the status page */
  char version[64];
  int n = synack_version(version, sizeof version - 1);
  version[n > 0 ? n : 0] = 0;
  ESP_LOGI(TAG, "synack %s started (module %u bytes, linear memory %u bytes, free heap %u, largest block %u)", version,
           (unsigned)(wasm_end - wasm_start), (unsigned)fw_memory_size(), (unsigned)esp_get_free_heap_size(),
           (unsigned)heap_caps_get_largest_free_block(MALLOC_CAP_8BIT));
  int rc = app.start ? app.start() : 0;
  if (rc != 0) ESP_LOGW(TAG, "the application's start returned %d", rc);
  return 0;
}

/* The host name: the mDNS name, also the DHCP client's (the router's lease table shows it). */
#if CONFIG_SYNACK_SERVICE_MDNS
#define HOST_NAME CONFIG_SYNACK_MDNS_NAME
#define NAME_HINT ", or nc " CONFIG_SYNACK_MDNS_NAME ".local 7"
#else
#define HOST_NAME "synack"
#define NAME_HINT ""
#endif

static void print_address(uint32_t a, uint32_t prefix, const char *how) {
  ESP_LOGI(TAG, "address %u.%u.%u.%u/%u (%s): try nc %u.%u.%u.%u 7%s", (unsigned)(a >> 24), (unsigned)(a >> 16 & 255),
           (unsigned)(a >> 8 & 255), (unsigned)(a & 255), (unsigned)prefix, how, (unsigned)(a >> 24),
           (unsigned)(a >> 16 & 255), (unsigned)(a >> 8 & 255), (unsigned)(a & 255), NAME_HINT);
}

static void synack_task(void *arg) {
  fw_config cfg = { 0 };
  if (board_mac(cfg.mac) != 0) goto out;
  uint32_t static_ip = parse_ip(CONFIG_SYNACK_IP);
  cfg.ip = USE_DHCP ? 0 : static_ip; /* 0: the module's DHCP client asks for one */
  cfg.prefix_len = CONFIG_SYNACK_PREFIX;
  cfg.gateway = parse_ip(CONFIG_SYNACK_GATEWAY);
  cfg.memory_limit = CONFIG_SYNACK_MEMORY_LIMIT_KB * 1024; /* 0: what the layout needs */
  cfg.max_conns = CONFIG_SYNACK_CONNS; /* 0: the board default (assembly/config.ts) */
  cfg.rx_ring = CONFIG_SYNACK_RX_RING;
  cfg.tx_ring = CONFIG_SYNACK_TX_RING;
  cfg.checksum_in_c = 1;
  cfg.no_store = !CONFIG_SYNACK_CODE_STORE; /* menuconfig: synack -> code store */
  cfg.services_set = 1; /* menuconfig: synack -> built-in services */
  cfg.services = (CONFIG_SYNACK_SERVICE_ECHO ? 1 : 0) | (CONFIG_SYNACK_SERVICE_DISCARD ? 2 : 0) |
                 (CONFIG_SYNACK_SERVICE_CHARGEN ? 4 : 0) | (CONFIG_SYNACK_SERVICE_CONSOLE ? 8 : 0) |
                 (CONFIG_SYNACK_SERVICE_HTTP ? 16 : 0) | (CONFIG_SYNACK_SERVICE_MDNS ? 32 : 0);
#if CONFIG_SYNACK_SERVICE_MDNS
  cfg.name = CONFIG_SYNACK_MDNS_NAME;
#endif
  cfg.verbose = 1;
  if (!USE_DHCP && !static_ip) { ESP_LOGE(TAG, "bad IPv4 address in menuconfig: %s", CONFIG_SYNACK_IP); goto out; }

  reset_w5500();
  if (board_spi_init() != 0) { ESP_LOGE(TAG, "SPI bus setup failed"); goto out; }
  if (w5500_init(cfg.mac) != 0) { ESP_LOGE(TAG, "no W5500 answers on SPI (VERSIONR != 0x04): check the wiring"); goto out; }
  ESP_LOGI(TAG, "W5500 found, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s", cfg.mac[0], cfg.mac[1], cfg.mac[2],
           cfg.mac[3], cfg.mac[4], cfg.mac[5], w5500_link_up() ? "up" : "down");

  wake = xSemaphoreCreateBinary();
#if CONFIG_SYNACK_PIN_INT >= 0
  gpio_config_t io = { .pin_bit_mask = 1ULL << CONFIG_SYNACK_PIN_INT, .mode = GPIO_MODE_INPUT,
                       .pull_up_en = GPIO_PULLUP_ENABLE, .intr_type = GPIO_INTR_NEGEDGE };
  gpio_config(&io);
  gpio_install_isr_service(0);
  gpio_isr_handler_add(CONFIG_SYNACK_PIN_INT, on_int, NULL);
  const uint32_t max_sleep = 500;
#else
  const uint32_t max_sleep = 10; /* no interrupt line: poll the chip */
#endif

  if (start(&cfg) != 0) goto out;
  if (cfg.ip) print_address(cfg.ip, cfg.prefix_len, "static");
#if USE_DHCP
  else ESP_LOGI(TAG, "asking DHCP for an address as %s (static fallback %s after %d s)", HOST_NAME, CONFIG_SYNACK_IP, CONFIG_SYNACK_DHCP_TIMEOUT_S);
#endif
  log_stack("after start-up");

  uint32_t started = hal_millis(), link_check = started, stack_check = started, shown = cfg.ip;
  unsigned low_water = (unsigned)uxTaskGetStackHighWaterMark(NULL);
  for (;;) {
    w5500_rx_pending(); /* clear Sn_IR.RECV before draining: a frame arriving meanwhile raises INTn again */
    uint32_t next = fw_step();
    if (app.poll) app.poll();
    uint32_t now = hal_millis();
    if (now - link_check >= 500) {
      uint32_t before = w5500_count.link_changes;
      int up = w5500_link_up();
      if (w5500_count.link_changes != before) ESP_LOGI(TAG, "link %s", up ? "up" : "down");
      link_check = now;
    }
    uint32_t prefix = 0, addr = fw_address(&prefix);
    if (addr && addr != shown) { print_address(addr, prefix, cfg.ip ? "static" : "DHCP"); shown = addr; }
#if USE_DHCP
    if (!addr && !cfg.ip && now - started >= CONFIG_SYNACK_DHCP_TIMEOUT_S * 1000u) {
      ESP_LOGW(TAG, "no DHCP lease after %d s: falling back to %s/%d", CONFIG_SYNACK_DHCP_TIMEOUT_S, CONFIG_SYNACK_IP,
               CONFIG_SYNACK_PREFIX);
      fw_stop();
      cfg.ip = static_ip;
      if (!cfg.ip || start(&cfg) != 0) goto out;
      continue;
    }
#endif
    if (now - stack_check >= 10000) { /* under load the stack runs deepest: say so when it does */
      unsigned unused = (unsigned)uxTaskGetStackHighWaterMark(NULL);
      if (unused < low_water) { low_water = unused; log_stack("new peak"); }
      stack_check = now;
    }
    xSemaphoreTake(wake, pdMS_TO_TICKS(next > max_sleep ? max_sleep : next));
  }
out:
  ESP_LOGE(TAG, "stopped");
  vTaskDelete(NULL);
}

int synack_esp32_start(const synack_esp32_app *a) {
  if (a) app = *a;
  /* wasm3 runs its operations as nested calls (no tail calls on the windowed ABI): its own task,
   * with a stack sized from the measured windowed peak (at most 18.9 KB, boards/xtensa) plus a margin. */
  if (xTaskCreate(synack_task, "synack", STACK_BYTES, NULL, 5, NULL) != pdPASS) {
    ESP_LOGE(TAG, "cannot create the synack task: %d bytes of stack not available", STACK_BYTES);
    return -1;
  }
  return 0;
}
