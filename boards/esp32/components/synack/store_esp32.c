/*
 * The code store on the ESP32 (hal.h): the partition synack_code (partitions.csv; type 0x40, an
 * application's own), mapped once into the data address space and read through the flash cache
 * as rodata is: wasm3 loads the code as data, the CPU never executes it. Erased and programmed
 * through the partition API; ESP-IDF flushes the cache after every erase or write that touches a
 * mapped page (spi_flash_check_and_flush_cache, on the ESP32 the whole cache of both cores: read
 * in ESP-IDF 5.5.5 and 6.0.2), so the mapping shows what was just written. The firmware's id is
 * the first word of the app's ELF SHA-256, which esptool writes into the image at every build.
 */
#include "hal.h"
#include "esp_app_desc.h"
#include "esp_log.h"
#include "esp_partition.h"
#include <string.h>

#define STORE_TYPE 0x40
#define STORE_SUBTYPE 0x00
#define STORE_NAME "synack_code"

static const char *TAG = "synack";
static const esp_partition_t *part;
static const uint8_t *mapped;
static int looked;

/* An image made without esptool's --elf-sha256-offset keeps esp_app_desc.c's placeholder: its id
 * would not change from build to build, and a stale store would run a former build's code. */
static int built_with_id(const uint8_t *sha) {
  static const uint8_t placeholder[] = { 0xDE, 0xAD, 0xBE, 0xEF, 0x47, 0x01, 0x02, 0x03 };
  return memcmp(sha, placeholder, sizeof placeholder) != 0;
}

const uint8_t *hal_store(uint32_t *size) {
  if (!looked) {
    looked = 1;
    part = esp_partition_find_first((esp_partition_type_t)STORE_TYPE, (esp_partition_subtype_t)STORE_SUBTYPE, STORE_NAME);
    if (!part) {
      ESP_LOGW(TAG, "no %s partition (partitions.csv): code is compiled into the heap as it runs", STORE_NAME);
    } else if (!built_with_id(esp_app_get_description()->app_elf_sha256)) {
      ESP_LOGW(TAG, "the image carries no ELF SHA-256 to tell builds apart: the code store is not used");
      part = NULL;
    } else {
      const void *p = NULL;
      esp_partition_mmap_handle_t handle; /* kept: the store is read for as long as the firmware runs */
      esp_err_t err = esp_partition_mmap(part, 0, part->size, ESP_PARTITION_MMAP_DATA, &p, &handle);
      if (err != ESP_OK) ESP_LOGE(TAG, "mapping %s: %s", STORE_NAME, esp_err_to_name(err));
      else mapped = p;
    }
  }
  *size = mapped ? (uint32_t)part->size : 0;
  return mapped;
}

int hal_store_erase(uint32_t n) {
  if (!mapped || n > part->size) return -1;
  uint32_t unit = part->erase_size ? part->erase_size : 4096u;
  uint32_t bytes = (n + unit - 1u) / unit * unit;
  if (bytes > part->size) return -1;
  esp_err_t err = bytes ? esp_partition_erase_range(part, 0, bytes) : ESP_OK;
  if (err != ESP_OK) ESP_LOGE(TAG, "erasing %u bytes of %s: %s", (unsigned)bytes, STORE_NAME, esp_err_to_name(err));
  return err == ESP_OK ? 0 : -1;
}

int hal_store_write(uint32_t off, const void *data, uint32_t n) {
  if (!mapped) return -1;
  esp_err_t err = esp_partition_write(part, off, data, n);
  if (err != ESP_OK) ESP_LOGE(TAG, "writing %u bytes at %u of %s: %s", (unsigned)n, (unsigned)off, STORE_NAME, esp_err_to_name(err));
  return err == ESP_OK ? 0 : -1;
}

uint32_t hal_firmware_id(void) {
  const uint8_t *sha = esp_app_get_description()->app_elf_sha256;
  return (uint32_t)sha[0] | (uint32_t)sha[1] << 8 | (uint32_t)sha[2] << 16 | (uint32_t)sha[3] << 24;
}
