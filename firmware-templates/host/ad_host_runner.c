/*
 * Runs a generated model on the host, for tests and for users who want to run the generated C
 * on a PC: reads samples from stdin, writes outputs to stdout, both as raw little-endian bytes.
 *
 * For each sample: every input's bytes in order (sizes from the model), then the model runs and
 * every output's bytes are written. Exits 0 at the end of stdin, 2 on a short read or an error
 * (printed on stderr with the status name).
 */
#include <stdio.h>
#include <stdlib.h>

#include "adm_binding.h"

int main(void)
{
    if (adm_init(NULL, 0) != 0)
    {
        fprintf(stderr, "init failed\n");
        return 2;
    }
    for (;;)
    {
        for (size_t i = 0; i < ADM_INPUT_COUNT; i++)
        {
            size_t bytes = adm_input_info(i)->bytes;
            size_t got = fread(adm_input(i), 1, bytes, stdin);
            if (got == 0 && i == 0 && feof(stdin))
            {
                return 0;
            }
            if (got != bytes)
            {
                fprintf(stderr, "short input %zu: %zu of %zu bytes\n", i, got, bytes);
                return 2;
            }
        }
        int status = adm_invoke();
        if (status != 0)
        {
            fprintf(stderr, "invoke failed: %d\n", status);
            return 2;
        }
        for (size_t i = 0; i < ADM_OUTPUT_COUNT; i++)
        {
            if (fwrite(adm_output(i), 1, adm_output_info(i)->bytes, stdout) != adm_output_info(i)->bytes)
            {
                return 2;
            }
        }
    }
}
