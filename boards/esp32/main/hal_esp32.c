/*
 * The HAL on the ESP32: spi_master (one polling transaction per call, the driver drives CS),
 * esp_timer and esp_random. SPI DMA cannot reach wasm linear memory (wasm3 mallocs it anywhere),
 * so every transfer goes through a DMA-capable bounce buffer.
 */
#include "hal.h"
#include "board.h"
#include "driver/spi_master.h"
#include "esp_heap_caps.h"
#include "esp_random.h"
#include "esp_timer.h"
#include <string.h>

#define BOUNCE 1600

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
#if CONFIG_SYNACK_SPI3
  spi_host_device_t host = SPI3_HOST;
#else
  spi_host_device_t host = SPI2_HOST;
#endif
  bounce = heap_caps_malloc(BOUNCE, MALLOC_CAP_DMA);
  if (!bounce) return -1;
  if (spi_bus_initialize(host, &bus, SPI_DMA_CH_AUTO) != ESP_OK) return -1;
  return spi_bus_add_device(host, &cfg, &dev) == ESP_OK ? 0 : -1;
}

void hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  if (hlen + len > BOUNCE) return; /* the driver never asks for more than one frame */
  memcpy(bounce, header, hlen);
  if (tx) memcpy(bounce + hlen, tx, len);
  else memset(bounce + hlen, 0, len);
  spi_transaction_t t = { .length = (hlen + len) * 8, .tx_buffer = bounce, .rx_buffer = bounce };
  spi_device_polling_transmit(dev, &t);
  if (rx) memcpy(rx, bounce + hlen, len);
}

uint32_t hal_millis(void) { return (uint32_t)(esp_timer_get_time() / 1000); }
uint32_t hal_random(void) { return esp_random(); }
