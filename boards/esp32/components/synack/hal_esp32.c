/*
 * The HAL on the ESP32: spi_master (one polling transaction per call, the driver drives CS),
 * esp_timer, esp_rom_delay_us / vTaskDelay and esp_random. SPI DMA cannot reach wasm linear
 * memory (wasm3 mallocs it anywhere), so every transfer goes through a DMA-capable bounce buffer.
 */
#include "hal.h"
#include "board.h"
#include "w5500.h"
#include "driver/spi_master.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_random.h"
#include "esp_rom_sys.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include <string.h>

/* The longest transaction the driver makes: 3 header bytes and a read of everything waiting in the
 * W5500's RX ring, up to the driver's stage (W5500_RX_STAGE, several frames); a multiple of 4. */
#define BOUNCE ((3 + W5500_RX_STAGE + 3) & ~3)

static spi_device_handle_t dev;
static uint8_t *bounce;

int board_spi_init(void) {
  spi_bus_config_t bus = {
    .mosi_io_num = CONFIG_SYNACK_PIN_MOSI, .miso_io_num = CONFIG_SYNACK_PIN_MISO,
    .sclk_io_num = CONFIG_SYNACK_PIN_SCLK, .quadwp_io_num = -1, .quadhd_io_num = -1,
    .max_transfer_sz = BOUNCE,
  };
  spi_device_interface_config_t cfg = {
    .clock_speed_hz = CONFIG_SYNACK_SPI_MHZ * 1000 * 1000, .mode = 0,
    .spics_io_num = CONFIG_SYNACK_PIN_CS, .queue_size = 1,
  };
#if CONFIG_SYNACK_SPI2
  spi_host_device_t host = SPI2_HOST;
#else
  spi_host_device_t host = SPI3_HOST; /* VSPI: its IOMUX pins are 18/23/19/5, good for 40 MHz */
#endif
  esp_err_t err;
  bounce = heap_caps_malloc(BOUNCE, MALLOC_CAP_DMA);
  if (!bounce) { ESP_LOGE("synack", "no DMA-capable memory for the %d-byte SPI buffer", BOUNCE); return -1; }
  if ((err = spi_bus_initialize(host, &bus, SPI_DMA_CH_AUTO)) != ESP_OK) {
    ESP_LOGE("synack", "spi_bus_initialize: %s", esp_err_to_name(err));
    return -1;
  }
  if ((err = spi_bus_add_device(host, &cfg, &dev)) != ESP_OK) {
    /* Typically: the clock is too fast for pins routed through the GPIO matrix (max ~26 MHz). */
    ESP_LOGE("synack", "spi_bus_add_device at %d MHz: %s", CONFIG_SYNACK_SPI_MHZ, esp_err_to_name(err));
    return -1;
  }
  return 0;
}

int hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  if (hlen + len > BOUNCE) { /* the driver never asks for more than its stage */
    if (rx) memset(rx, 0, len);
    return -1;
  }
  memcpy(bounce, header, hlen);
  if (tx) memcpy(bounce + hlen, tx, len);
  else memset(bounce + hlen, 0, len);
  spi_transaction_t t = { .length = (hlen + len) * 8, .tx_buffer = bounce, .rx_buffer = bounce };
  if (spi_device_polling_transmit(dev, &t) != ESP_OK) {
    if (rx) memset(rx, 0, len);
    return -1;
  }
  if (rx) memcpy(rx, bounce + hlen, len);
  return 0;
}

uint32_t hal_millis(void) { return (uint32_t)(esp_timer_get_time() / 1000); }
uint32_t hal_micros(void) { return (uint32_t)esp_timer_get_time(); }

void hal_delay_us(uint32_t us) {
  /* Whole ticks: let other tasks run; shorter: spin. */
  if (us >= 1000u * portTICK_PERIOD_MS) vTaskDelay(pdMS_TO_TICKS(us / 1000u));
  else esp_rom_delay_us(us);
}

uint32_t hal_random(void) { return esp_random(); }
